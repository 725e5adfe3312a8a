"""C(E)TRs are independent reviews of kind ctr or cetr (issue 17). Changing the kind's check rebuilds the
table on SQLite, which drops its append-only triggers, so they are made again at the end."""

from django.conf import settings
from django.db import migrations, models

from rrp.core.db import append_only_table


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0001_initial'),
        ('people', '0004_staff_employee_number'),
        ('segregation', '0011_defacto_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='independentreview',
            name='segregation_oversight_review_valid_kind',
        ),
        migrations.AlterField(
            model_name='independentreview',
            name='kind',
            field=models.CharField(choices=[('independent_segregation', 'Independent review of segregation'), ('ctr', 'Care and Treatment Review (CTR)'), ('cetr', 'Care, Education and Treatment Review (CETR)')], max_length=30),
        ),
        migrations.AddConstraint(
            model_name='independentreview',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['independent_segregation', 'ctr', 'cetr'])), name='segregation_oversight_review_valid_kind'),
        ),
        append_only_table("segregation_independentreview"),
    ]
