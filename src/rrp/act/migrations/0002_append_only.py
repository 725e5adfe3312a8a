from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("act", "0001_initial")]
    operations = [
        append_only_table("act_responsiblepersonappointment"),
        append_only_table("act_delegation"),
        append_only_table("act_policyversion"),
    ]
