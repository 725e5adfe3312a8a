from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("segregation", "0001_initial")]
    operations = [
        append_only_table("segregation_episode"),
        append_only_table("segregation_episodeversion"),
        append_only_table("segregation_review"),
        append_only_table("segregation_observation"),
    ]
