from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "rrp.reports"
    label = "reports"
    verbose_name = "Seeing it together: ward huddle, provider board, collaborative, equity and national views"
    default_auto_field = "django.db.models.BigAutoField"
