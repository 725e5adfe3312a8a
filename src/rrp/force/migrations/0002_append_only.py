from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("force", "0001_initial")]
    operations = [
        append_only_table("force_incident"),
        append_only_table("force_incidentversion"),
        append_only_table("force_interventionrecord"),
        append_only_table("force_staffinvolvement"),
        append_only_table("force_incidentstatuschange"),
        append_only_table("force_incidentflag"),
    ]
