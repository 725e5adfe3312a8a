from django.apps import AppConfig


class ActConfig(AppConfig):
    name = "rrp.act"
    label = "act"
    verbose_name = "The Use of Force Act's duties around the records, and its statutory outputs"

    def ready(self) -> None:
        # The incident page warns when a member of staff involved had no current training; force cannot
        # import act (it sits below it), so act tells force what to show (decision 0011). Imported here,
        # not at the top: an AppConfig module is loaded before the apps' models are.
        from rrp.act.investigations import open_for_harm
        from rrp.act.prone import closure_status
        from rrp.act.training import incident_training_notices
        from rrp.force.closure import register_prone_review_status
        from rrp.force.selectors import register_incident_notices
        from rrp.force.services import register_version_written

        register_incident_notices(incident_training_notices)
        # A version recording a death or serious injury opens an investigation (s9), in its transaction.
        register_version_written(open_for_harm)
        # Closing an incident with prone restraint reads this app's prone restraint review (issue 16 item 5).
        register_prone_review_status(closure_status)
