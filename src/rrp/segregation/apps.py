from django.apps import AppConfig


class SegregationConfig(AppConfig):
    name = "rrp.segregation"
    label = "segregation"
    verbose_name = "Seclusion and long-term segregation: episodes, reviews and observations"
    default_auto_field = "django.db.models.BigAutoField"
