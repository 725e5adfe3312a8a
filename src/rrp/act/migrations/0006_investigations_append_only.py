from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("act", "0005_investigations")]
    operations = [append_only_table("act_investigation"), append_only_table("act_investigationversion")]
