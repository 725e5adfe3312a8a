"""Commissioners' visits are append-only (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("segregation", "0013_commissioner_visits")]
    operations = [append_only_table("segregation_commissionervisit")]
