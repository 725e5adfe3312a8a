from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "rrp.improvement"
    label = "improvement"
    verbose_name = "Quality improvement: events on charts, rebase decisions and aims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Attach the improvement API to the one RRP API at /api/improvement/ (this app is above
        ``rrp.api`` in the layers, decision 0011, so the API cannot import it)."""
        from rrp.api.api import api
        from rrp.improvement.api import router

        if all(mounted is not router for _prefix, mounted in api._routers):
            api.add_router("/improvement/", router)
