from django.apps import AppConfig


class ActConfig(AppConfig):
    name = "rrp.act"
    label = "act"
    verbose_name = "The Use of Force Act's duties around the records, and its statutory outputs"
