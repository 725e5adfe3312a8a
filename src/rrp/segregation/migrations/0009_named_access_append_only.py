"""Named-access grants and their revocations are append-only (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_table, append_only_truncate_guarded

TABLES = ("segregation_namedaccessgrant", "segregation_namedaccessrevocation")


class Migration(migrations.Migration):
    dependencies = [("segregation", "0008_named_access")]
    operations = [
        *(append_only_table(table) for table in TABLES),
        *(append_only_truncate_guarded(table) for table in TABLES),
    ]
