"""A record of each demo-data run: how the database's demo data was made, and its digest."""

from __future__ import annotations

from django.db import models


class DemoRun(models.Model):
    """One run of `rrp demo-data`.

    Its presence marks the database as a demo database: the next run may wipe the demo data it finds
    there. A database with organisations or patients but no DemoRun holds someone's real work, and
    the generator refuses to touch it.
    """

    generated_at = models.DateTimeField()
    seed = models.BigIntegerField()
    options = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    digest = models.CharField(max_length=64)
    seconds = models.FloatField()

    class Meta:
        ordering = ["-generated_at"]

    def __str__(self) -> str:
        return f"Demo data seed {self.seed} at {self.generated_at:%Y-%m-%d %H:%M}"
