from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rrp.web"
    label = "web"
    verbose_name = "Site pages and navigation: home, about, a ward's page, the audit log"
