from django.db import migrations

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("act", "0007_prone_reviews")]
    operations = [append_only_table("act_pronereviewer"), append_only_table("act_pronereview")]
