"""A covering index on incident versions for the "latest version" look-ups (PostgreSQL only).

Every series, the huddle and reporting health keep only the latest version of each incident: they join
interventions to their version and test that no version of the same incident has a higher number. On
PostgreSQL the version row was fetched from ``force_incidentversion`` for each look-up, and that table is
wide (it carries the incident's free text: 1.1 GB for 775,000 versions on the national-size demo). With
``(incident_id, number) INCLUDE (id)`` both the join and the test are answered from the index: on the
national demo (a copy, vacuumed) the collaborative's grouped query went from about 2.0 s to 1.0-1.4 s,
the huddle's last restraint and seclusion from about 130 ms to 65 ms, and the whole pages about 10%
faster (docs/collaborative-and-national.md, "Speed").

SQLite needs nothing: its index of the (incident, number) unique constraint already holds the row id.
The index is not declared in the model's Meta because Django would create it on SQLite too (without the
INCLUDE, as a copy of that unique index).
"""

from django.db import migrations

INDEX = "force_version_latest_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON force_incidentversion (incident_id, number) INCLUDE (id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("force", "0006_version_statutory_items_complete")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
