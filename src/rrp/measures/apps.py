from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "rrp.measures"
    label = "measures"
    verbose_name = "Measures: reviewed definitions, national statistics and suppression"
