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

import numpy as np
from django.utils import timezone

from rrp.accounts.models import User
from rrp.act.models import (
    Delegation,
    PolicyVersion,
    ResponsiblePersonAppointment,
    TrainingCompletion,
    TrainingCourse,
)
from rrp.demo.registry import DemoContext, demo_step
from rrp.organisations.models import Provider

APPEND_ONLY = (TrainingCompletion, ResponsiblePersonAppointment, Delegation, PolicyVersion)
# (code, title, s5(2) topics, standard, refresher months): both required.
COURSES = [
    (
        "RRN-PMVA",
        "Restrictive intervention and de-escalation (certified)",
        list("abcdefghijk"),
        "RRN Training Standards",
        12,
    ),
    ("RRP-EL", "Reducing restrictive practice e-learning", list("abcdgk"), "", 24),
]
NEVER_SHARE = 0.04  # staff who have never done a course (new starters)
ACT_DUTIES_BEGAN = dt.date(2022, 3, 31)
PEOPLE = [
    ("Dr Amara Okafor", "Executive Director of Nursing"),
    ("Huw Llewellyn", "Chief Nurse"),
    ("Priya Raman", "Director of Nursing and Quality"),
    ("Tom Whitfield", "Medical Director"),
]


def act_demo_wipe(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only(APPEND_ONLY)
    TrainingCourse.objects.all().delete()


@demo_step("act", after=("organisations", "staff", "logins"), wipe=act_demo_wipe)
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
    _training(ctx, at=at)
    for model, rows in (
        (ResponsiblePersonAppointment, appointments),
        (Delegation, delegations),
        (PolicyVersion, policies),
    ):
        model.objects.bulk_create(rows)
        ctx.writer.counts[model._meta.label] += len(rows)


def _training(ctx: DemoContext, *, at: dt.datetime) -> None:
    """Two required courses per provider and every member of staff's completions: most in date, some
    lapsed (the last one more than a refresher ago), a few never done."""
    providers = list(Provider.objects.order_by("pk").values_list("pk", flat=True))
    courses = TrainingCourse.objects.bulk_create(
        TrainingCourse(
            provider_id=provider_id,
            code=code,
            title=title,
            topics=topics,
            standard=standard,
            certificate_number=f"RRN-{provider_id:04d}-{index + 1}" if standard else "",
            certificate_expires_on=ctx.last_day + dt.timedelta(days=120 + 40 * index) if standard else None,
            refresher_months=months,
        )
        for provider_id in providers
        for index, (code, title, topics, standard, months) in enumerate(COURSES)
    )
    staff = ctx.frames.get("staff")
    if staff is None or not len(staff["id"]):
        return
    rng = ctx.rng
    by_provider = {(c.provider_id, c.code): c for c in courses}
    staff_ids, course_ids, days = [], [], []
    last = np.datetime64(ctx.last_day, "D")
    for code, _title, _topics, _standard, months in COURSES:
        n = len(staff["id"])
        period = months * 30
        done = rng.random(n) >= NEVER_SHARE
        # The latest completion up to 1.15 refreshers ago (so about one in eight has lapsed), and the one
        # before it a refresher earlier.
        ago = (rng.random(n) * period * 1.15).astype(np.int64)
        ids = [by_provider[(int(p), code)].pk for p in staff["provider_id"]]
        for shift in (0, period):
            staff_ids.append(staff["id"][done])
            course_ids.append(np.array(ids)[done])
            days.append(last - (ago[done] + shift))
    ctx.writer.insert(
        TrainingCompletion,
        {
            "staff_member_id": np.concatenate(staff_ids),
            "course_id": np.concatenate(course_ids),
            "completed_on": np.concatenate(days),
            "recorded_at": np.full(sum(len(d) for d in days), np.datetime64(at.replace(tzinfo=None), "s")),
            "source": np.full(sum(len(d) for d in days), "lms_import"),
        },
    )
