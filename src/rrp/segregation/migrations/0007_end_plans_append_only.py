"""The plans to end segregation are append-only like the episodes (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_table, append_only_truncate_guarded

TABLES = ("segregation_endplanversion", "segregation_endplanstep")


class Migration(migrations.Migration):
    dependencies = [("segregation", "0006_end_plans")]
    operations = [
        *(append_only_table(table) for table in TABLES),
        *(append_only_truncate_guarded(table) for table in TABLES),
    ]
