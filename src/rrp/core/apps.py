from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rrp.core"
    label = "core"
    verbose_name = "Core: audit log and shared building blocks"

    def ready(self) -> None:
        from django.urls import register_converter

        from rrp.core.validation.paths import IdConverter

        # <id:...> in URL patterns: a record id within 64 bits (core.validation.paths).
        register_converter(IdConverter, "id")
