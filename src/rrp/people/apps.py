from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rrp.people"
    label = "people"
    verbose_name = "Patients, their stays, and staff"
