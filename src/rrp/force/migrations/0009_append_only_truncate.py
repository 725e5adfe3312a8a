"""Guard the append-only tables against TRUNCATE on PostgreSQL, which fires no row trigger: issue 12
found `TRUNCATE core_auditevent` and `TRUNCATE ... CASCADE` emptying them (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_truncate_guarded


class Migration(migrations.Migration):
    dependencies = [("force", "0008_status_closed_index")]
    operations = [
        append_only_truncate_guarded("force_incident"),
        append_only_truncate_guarded("force_incidentversion"),
        append_only_truncate_guarded("force_interventionrecord"),
        append_only_truncate_guarded("force_staffinvolvement"),
        append_only_truncate_guarded("force_incidentstatuschange"),
        append_only_truncate_guarded("force_incidentflag"),
        append_only_truncate_guarded("force_staffstatement"),
        append_only_truncate_guarded("force_physicalhealthobservation"),
    ]
