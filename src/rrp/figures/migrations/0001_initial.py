# WardMonthFigures, moved here from measures (decision 0011). measures.0003 renamed its table to
# figures_wardmonthfigures, so this migration only takes over the model's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("measures", "0003_ward_month_figures_to_figures"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WardMonthFigures",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("month", models.DateField(help_text="The first day of the month.")),
                        ("generation", models.PositiveIntegerField(default=0)),
                        ("computed_generation", models.IntegerField(blank=True, null=True)),
                        ("definitions_key", models.CharField(blank=True, max_length=64)),
                        ("figures", models.JSONField(default=dict)),
                        ("computed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "ward",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="organisations.ward",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("ward", "month"), name="one_figures_row_per_ward_month"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
