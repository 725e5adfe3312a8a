"""Store on each incident version whether it records every s6(5) item not on the patient's record.

Versions are append-only (the database refuses UPDATE), so the triggers are dropped for the moment the
existing rows are filled in, and made again after. On SQLite, adding a NOT NULL column rebuilds the
table, which loses its triggers anyway; making them again here covers that too.

Existing rows are checked with today's negligible-force switch (new versions use the switch as it is
when they are written).
"""

from types import SimpleNamespace

from django.db import migrations, models

from rrp.core.db import _create, _drop

TABLE = "force_incidentversion"
CHUNK = 5_000
UPDATE_BATCH = 500


def fill(apps, schema_editor) -> None:
    from rrp.force.completeness import negligible_force_exemption_enabled, version_items_complete

    IncidentVersion = apps.get_model("force", "IncidentVersion")
    InterventionRecord = apps.get_model("force", "InterventionRecord")
    StaffInvolvement = apps.get_model("force", "StaffInvolvement")
    exemption = negligible_force_exemption_enabled()
    complete: list[int] = []
    last = 0
    while True:
        rows = list(IncidentVersion.objects.filter(pk__gt=last).order_by("pk").values()[:CHUNK])
        if not rows:
            break
        low, last = rows[0]["id"], rows[-1]["id"]
        span = {"version_id__gte": low, "version_id__lte": last}
        interventions: dict[int, list] = {}
        for version_id, type_code, ended_at, in_care_plan in InterventionRecord.objects.filter(
            **span
        ).values_list("version_id", "type_code", "ended_at", "in_care_plan"):
            interventions.setdefault(version_id, []).append(
                SimpleNamespace(type_code=type_code, ended_at=ended_at, in_care_plan=in_care_plan)
            )
        staff: dict[int, list] = {}
        for version_id, name, job_title in StaffInvolvement.objects.filter(**span).values_list(
            "version_id", "name", "job_title"
        ):
            staff.setdefault(version_id, []).append(SimpleNamespace(name=name, job_title=job_title))
        for row in rows:
            if version_items_complete(
                version=SimpleNamespace(**row),
                interventions=interventions.get(row["id"], []),
                staff=staff.get(row["id"], []),
                exemption_enabled=exemption,
            ):
                complete.append(row["id"])
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(complete), UPDATE_BATCH):
            batch = complete[start : start + UPDATE_BATCH]
            cursor.execute(
                f"UPDATE {quote(TABLE)} SET {quote('statutory_items_complete')} = %s "
                f"WHERE id IN ({', '.join(['%s'] * len(batch))})",
                [True, *batch],
            )


class Migration(migrations.Migration):
    dependencies = [("force", "0005_status_latest_index")]

    operations = [
        migrations.RunPython(_drop(TABLE), _create(TABLE)),
        migrations.AddField(
            model_name="incidentversion",
            name="statutory_items_complete",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Every s6(5) item except the patient's name and NHS number (on the patient record) "
                    "is recorded."
                ),
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(_create(TABLE), _drop(TABLE)),
    ]
