"""A policy version may be an uploaded PDF as well as (or instead of) a link (issue 16 item 2, decision
0063): the file's name in the storage under MEDIA_ROOT, its SHA-256 digest, size and name as uploaded.
The table is append-only; on SQLite adding columns and constraints rebuilds it, which drops its triggers,
so they are made again last."""

from django.db import migrations, models

from rrp.core.db import append_only_table


class Migration(migrations.Migration):
    dependencies = [("act", "0008_prone_reviews_append_only")]

    operations = [
        migrations.AlterField(
            model_name="policyversion",
            name="document_url",
            field=models.URLField(
                blank=True,
                help_text="Where the policy is published (a web address); blank when only uploaded.",
                max_length=500,
                verbose_name="published document",
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="document_file",
            field=models.CharField(blank=True, max_length=100, verbose_name="uploaded document"),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="document_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="document's SHA-256 digest"),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="document_bytes",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="document's size in bytes"),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="document_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="document's file name as uploaded"),
        ),
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(
                condition=~models.Q(document_url="") | ~models.Q(document_file=""),
                name="act_policy_has_document",
            ),
        ),
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(
                condition=models.Q(document_file="")
                | (~models.Q(document_sha256="") & models.Q(document_bytes__gt=0)),
                name="act_policy_upload_has_digest",
            ),
        ),
        append_only_table("act_policyversion"),
    ]
