# WardMonthFigures moves to its own app, rrp.figures (decision 0011). The table is kept and renamed
# (figures_wardmonthfigures), so stored figures survive the move; figures.0001 takes the model's state.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0002_ward_month_figures"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="WardMonthFigures", table="figures_wardmonthfigures"),
            ],
            state_operations=[
                migrations.DeleteModel(name="WardMonthFigures"),
            ],
        ),
    ]
