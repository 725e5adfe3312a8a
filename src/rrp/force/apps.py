from django.apps import AppConfig


class ForceConfig(AppConfig):
    name = "rrp.force"
    label = "force"
    verbose_name = "Use of force: incidents, their versions, reviews and triggers"
