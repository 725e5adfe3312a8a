from django.apps import AppConfig


class ForceConfig(AppConfig):
    name = "rrp.force"
    label = "force"
    verbose_name = "Use of force: incidents, their versions, reviews and triggers"

    def ready(self) -> None:
        # A support plan written after a person's restraint changes the stored figures of those
        # restraints' months; people cannot import force (it sits below it), so force tells people how to
        # find them (decision 0011). Imported here: an AppConfig module is loaded before the models are.
        from rrp.force.selectors import debriefs_of_patient, incidents_of_patient
        from rrp.force.services import patients_figures_months
        from rrp.people.selectors import register_patient_records
        from rrp.people.services import register_patient_figures_months

        register_patient_figures_months(patients_figures_months)
        # The patient page lists the person's incidents, those of identities merged into it too.
        register_patient_records(incidents_of_patient)
        # And the debriefs on those incidents (decision 0082).
        register_patient_records(debriefs_of_patient)
