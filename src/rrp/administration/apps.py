from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "rrp.administration"
    label = "administration"
    verbose_name = "Administration: setting up providers, wards, accounts and the staff roster"
