"""Guard the append-only tables against TRUNCATE on PostgreSQL, which fires no row trigger: issue 12
found `TRUNCATE core_auditevent` and `TRUNCATE ... CASCADE` emptying them (rrp.core.db)."""

from django.db import migrations

from rrp.core.db import append_only_truncate_guarded


class Migration(migrations.Migration):
    dependencies = [("segregation", "0002_append_only")]
    operations = [
        append_only_truncate_guarded("segregation_episode"),
        append_only_truncate_guarded("segregation_episodeversion"),
        append_only_truncate_guarded("segregation_review"),
        append_only_truncate_guarded("segregation_observation"),
    ]
