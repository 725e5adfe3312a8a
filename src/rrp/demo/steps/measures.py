"""Demo step: NHS Digital's published provider-level figures, so the national benchmark has real data.

These are real, public official statistics (aggregate counts already suppressed and rounded by NHS
Digital, under the Open Government Licence v3.0), not patient data: see the README beside the files in
src/rrp/measures/published/. The demo's synthetic providers are not among them, so a demo user picks a
published provider to compare.
"""

from __future__ import annotations

from rrp.demo.registry import DemoContext, demo_step
from rrp.figures.models import WardMonthFigures
from rrp.measures.models import NationalProviderMonth
from rrp.measures.national import PUBLISHED
from rrp.measures.services import monthly_figures_refresh, national_figures_import


@demo_step("national_figures", after=(), models=(NationalProviderMonth,))
def national_figures(ctx: DemoContext) -> None:
    """Import the 12 months (September 2021 to August 2022) shipped with RRP."""
    national_figures_import(directory=PUBLISHED, by=None)


@demo_step(
    "monthly_figures",
    after=("incidents", "segregation", "bed_days"),
    models=(WardMonthFigures,),
)
def monthly_figures(ctx: DemoContext) -> None:
    """Fill the stored monthly figures of every ward over the whole demo period, as a nightly job would,
    so that the first view of a collaborative or a board does not compute five years of them."""
    monthly_figures_refresh(ward_ids=None, since=ctx.first_day, until=ctx.last_day)
