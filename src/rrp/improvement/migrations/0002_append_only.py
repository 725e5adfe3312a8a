from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("improvement", "0001_initial")]
    operations = [
        append_only_table("improvement_wardevent"),
        append_only_table("improvement_chartrebase"),
        append_only_table("improvement_improvementaim"),
        append_only_table("improvement_withdrawal"),
    ]
