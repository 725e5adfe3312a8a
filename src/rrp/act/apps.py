from django.apps import AppConfig


class ActConfig(AppConfig):
    name = "rrp.act"
    label = "act"
    verbose_name = "The Use of Force Act's duties around the records, and its statutory outputs"

    def ready(self) -> None:
        # The incident page warns when a member of staff involved had no current training; force cannot
        # import act (it sits below it), so act tells force what to show (decision 0011). Imported here,
        # not at the top: an AppConfig module is loaded before the apps' models are.
        from rrp.act.training import incident_training_notices
        from rrp.force.selectors import register_incident_notices

        register_incident_notices(incident_training_notices)
