from django.apps import AppConfig


class SegregationConfig(AppConfig):
    name = "rrp.segregation"
    label = "segregation"
    verbose_name = "Seclusion and long-term segregation: episodes, reviews and observations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Writing an incident can change the months of the episodes linked to it; force cannot import
        # segregation (it sits below it), so segregation tells force how to find them (decision 0011).
        # Imported here, not at the top: an AppConfig module is loaded before the apps' models are.
        from rrp.force.services import register_linked_figures_months
        from rrp.segregation.services import figures_months_of_linked_episodes

        register_linked_figures_months(figures_months_of_linked_episodes)
        # The patient page lists the person's episodes, those of identities merged into it too.
        from rrp.people.selectors import register_patient_records
        from rrp.segregation.selectors import episodes_of_patient

        register_patient_records(episodes_of_patient)
