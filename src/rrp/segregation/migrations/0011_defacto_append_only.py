"""De-facto segregation decisions are append-only (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_table, append_only_truncate_guarded


class Migration(migrations.Migration):
    dependencies = [("segregation", "0010_defacto_decisions")]
    operations = [
        append_only_table("segregation_defactodecision"),
        append_only_truncate_guarded("segregation_defactodecision"),
    ]
