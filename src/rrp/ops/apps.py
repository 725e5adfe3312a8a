from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "rrp.ops"
    label = "ops"
    verbose_name = "Operations"
