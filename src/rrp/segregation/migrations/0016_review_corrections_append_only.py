"""Corrections of a review's text are append-only (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("segregation", "0015_review_corrections")]
    operations = [append_only_table("segregation_independentreviewtext")]
