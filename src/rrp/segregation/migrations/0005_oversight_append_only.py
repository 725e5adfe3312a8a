"""The oversight records are append-only like the episodes: row triggers against UPDATE and DELETE, and
on PostgreSQL a guard against TRUNCATE (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_table, append_only_truncate_guarded

TABLES = (
    "segregation_independentreview",
    "segregation_panelmember",
    "segregation_recommendation",
    "segregation_recommendationupdate",
)


class Migration(migrations.Migration):
    dependencies = [("segregation", "0004_oversight_reviews")]
    operations = [
        *(append_only_table(table) for table in TABLES),
        *(append_only_truncate_guarded(table) for table in TABLES),
    ]
