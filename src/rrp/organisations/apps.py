from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "rrp.organisations"
    label = "organisations"
    verbose_name = "Organisations, wards and occupied bed days"
