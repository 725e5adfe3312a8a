from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [append_only_table("core_auditevent")]
