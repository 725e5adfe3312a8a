"""Each incident version names its patient, so a wrong patient is corrected by a new version (decision 0021).

Versions are append-only (the database refuses UPDATE), so the triggers are dropped for the moment the
existing rows are filled in with their incident's patient, and made again after (on SQLite, making the
column NOT NULL rebuilds the table, which loses its triggers anyway; making them again covers that too).
"""

import django.db.models.deletion
from django.db import migrations, models

from rrp.core.db import _create, _drop

TABLE = "force_incidentversion"


def fill(apps, schema_editor) -> None:
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(TABLE)} SET {quote('patient_id')} = (SELECT i.{quote('patient_id')} "
            f"FROM {quote('force_incident')} i WHERE i.{quote('id')} = {quote(TABLE)}.{quote('incident_id')})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("force", "0012_incident_void"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_drop(TABLE), _create(TABLE)),
        migrations.AddField(
            model_name="incidentversion",
            name="patient",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incident_versions",
                to="people.patient",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="incidentversion",
            name="patient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incident_versions",
                to="people.patient",
            ),
        ),
        migrations.RunPython(_create(TABLE), _drop(TABLE)),
        migrations.AlterField(
            model_name="incident",
            name="patient",
            field=models.ForeignKey(
                help_text=(
                    "The patient the incident was first recorded against; the current patient is the current "
                    "version's (IncidentVersion.patient, decision 0021)."
                ),
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to="people.patient",
            ),
        ),
    ]
