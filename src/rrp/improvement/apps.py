from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "rrp.improvement"
    label = "improvement"
    verbose_name = "Quality improvement: events on charts, rebase decisions and aims"
    default_auto_field = "django.db.models.BigAutoField"
