from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "rrp.figures"
    label = "figures"
    verbose_name = "Stored monthly figures per ward (a cache of the measures)"
