from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rrp.core"
    label = "core"
    verbose_name = "Core: audit log and shared building blocks"
