from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rrp.api"
    label = "api"
    verbose_name = "The RRP HTTP API (django-ninja)"
