"""Demo step: each provider's Use of Force Act duties (issue 16): responsible people, a delegation, and
policy versions.

Every provider has had two responsible people (the first appointed when the Act's duties began, on 31
March 2022 or the period's start if later, the second about half way through the period) and delegates
overseeing the records to its head of patient safety. Each has two versions of its use-of-force policy,
the later approved about a year before the period's end and due for review a year after; the first
provider's (the demo logins') review fell due three weeks before the end, so governance sees the
overdue flag, on its duties page and the board.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rrp.accounts.models import User
from rrp.act.models import Delegation, PolicyVersion, ResponsiblePersonAppointment
from rrp.demo.registry import DemoContext, demo_step
from rrp.organisations.models import Provider

APPEND_ONLY = (ResponsiblePersonAppointment, Delegation, PolicyVersion)
ACT_DUTIES_BEGAN = dt.date(2022, 3, 31)
PEOPLE = [
    ("Dr Amara Okafor", "Executive Director of Nursing"),
    ("Huw Llewellyn", "Chief Nurse"),
    ("Priya Raman", "Director of Nursing and Quality"),
    ("Tom Whitfield", "Medical Director"),
]


def act_demo_wipe(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only(APPEND_ONLY)


@demo_step("act", after=("organisations", "logins"), wipe=act_demo_wipe)
def act(ctx: DemoContext) -> None:
    """Appointments, a delegation and two policy versions for every provider."""
    governance = User.objects.filter(username="governance").values_list("pk", flat=True).first()
    if governance is None:
        return
    start, end = ctx.first_day, ctx.last_day
    middle = start + (end - start) / 2
    at = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
    appointments, delegations, policies = [], [], []
    for index, provider_id in enumerate(Provider.objects.order_by("pk").values_list("pk", flat=True)):
        first, second = PEOPLE[index % len(PEOPLE)], PEOPLE[(index + 1) % len(PEOPLE)]
        for (name, title), appointed_on in ((first, max(ACT_DUTIES_BEGAN, start)), (second, middle)):
            appointments.append(
                ResponsiblePersonAppointment(
                    provider_id=provider_id,
                    name=name,
                    job_title=title,
                    appointed_on=appointed_on,
                    note="Appointed by the trust board.",
                    recorded_at=at,
                    recorded_by_id=governance,
                )
            )
        delegations.append(
            Delegation(
                provider_id=provider_id,
                delegate_name="Sam Adeyemi",
                delegate_job_title="Head of Patient Safety",
                functions="Keeping the records of the use of force (section 6) and preparing the annual statistics.",
                starts_on=max(ACT_DUTIES_BEGAN, start),
                recorded_at=at,
                recorded_by_id=governance,
            )
        )
        review_due = end - dt.timedelta(days=21) if index == 0 else end + dt.timedelta(days=200 + 30 * index)
        latest_approved = review_due - dt.timedelta(days=365)
        for label, approved, due in (
            ("1.0", min(latest_approved - dt.timedelta(days=365), start), latest_approved),
            ("2.0", latest_approved, review_due),
        ):
            policies.append(
                PolicyVersion(
                    provider_id=provider_id,
                    title="Reducing restrictive practice and the use of force",
                    version_label=label,
                    document_url=f"https://www.example.nhs.uk/policies/use-of-force-v{label}.pdf",
                    approved_on=approved,
                    review_due_on=due,
                    consulted="Patients' council, carers' forum, advocacy service, staff side and ward teams",
                    patients_consulted=True,
                    carers_consulted=label != "1.0",
                    recorded_at=at,
                    recorded_by_id=governance,
                )
            )
    for model, rows in (
        (ResponsiblePersonAppointment, appointments),
        (Delegation, delegations),
        (PolicyVersion, policies),
    ):
        model.objects.bulk_create(rows)
        ctx.writer.counts[model._meta.label] += len(rows)
