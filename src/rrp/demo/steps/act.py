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
from django.db import models
from django.utils import timezone

from rrp.accounts.models import User
from rrp.act.investigations import FIRST_TARGET_DAYS
from rrp.act.models import (
    Delegation,
    Investigation,
    InvestigationReason,
    InvestigationVersion,
    PolicyVersion,
    ProneReview,
    ProneReviewer,
    ResponsiblePersonAppointment,
    TrainingCompletion,
    TrainingCourse,
)
from rrp.demo.registry import DemoContext, demo_step
from rrp.force.codes import IncidentFlagKind
from rrp.force.models import IncidentFlag, IncidentVersion
from rrp.organisations.models import Provider

APPEND_ONLY = (
    ProneReview,
    ProneReviewer,
    InvestigationVersion,
    Investigation,
    TrainingCompletion,
    ResponsiblePersonAppointment,
    Delegation,
    PolicyVersion,
)
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


@demo_step("act", after=("organisations", "staff", "logins", "incidents"), wipe=act_demo_wipe)
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
    _investigations(ctx, governance)
    _prone_reviews(ctx, governance)
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


def _investigations(ctx: DemoContext, governance: int) -> None:
    """The investigation each serious injury or death opens (the demo writes incidents in bulk, past the
    service that opens them): those opened more than the first target ago are closed with findings, the
    rest have a lead named and are open (a few past their target date)."""
    harmed = (
        IncidentVersion.objects.current()
        .filter(models.Q(patient_serious_injury=True) | models.Q(patient_died=True))
        .values_list("incident_id", "incident__provider_id", "recorded_at", "patient_died")
        .order_by("incident_id")
    )
    opened = Investigation.objects.bulk_create(
        Investigation(
            provider_id=provider_id,
            incident_id=incident_id,
            reason=InvestigationReason.DEATH if died else InvestigationReason.SERIOUS_INJURY,
            opened_at=at,
            due_on=timezone.localdate(at) + dt.timedelta(days=FIRST_TARGET_DAYS),
        )
        for incident_id, provider_id, at, died in harmed
    )
    versions = []
    for n, investigation in enumerate(opened):
        due = investigation.due_on - dt.timedelta(days=30 * (n % 3 == 0))
        closed = due + dt.timedelta(days=20) < ctx.last_day
        versions.append(
            InvestigationVersion(
                investigation=investigation,
                number=1,
                lead_name=PEOPLE[n % len(PEOPLE)][0],
                lead_job_title=PEOPLE[n % len(PEOPLE)][1],
                learning_response=("aar", "mdt", "psii")[n % 3],
                family_involvement="involved" if n % 4 else "declined",
                findings="The hold went on longer than planned and staff were not relieved; the debrief found "
                "the patient had asked for space earlier."
                if closed
                else "",
                actions=[
                    {
                        "action": "Refresher on safe holds and handing over",
                        "owner": "Ward manager",
                        "due_on": due.isoformat(),
                        "done": closed,
                    }
                ],
                due_on=due,
                closed_on=due if closed else None,
                signed_off_by="Director of Nursing" if closed else "",
                recorded_at=investigation.opened_at,
                recorded_by_id=governance,
            )
        )
    InvestigationVersion.objects.bulk_create(versions)
    ctx.writer.counts[Investigation._meta.label] += len(opened)
    ctx.writer.counts[InvestigationVersion._meta.label] += len(versions)


def _prone_reviews(ctx: DemoContext, governance: int) -> None:
    """A reviewer and a completed review for every prone restraint flagged more than two months before the
    period's end and four in five of those flagged up to ten days before it (the rest overdue); the latest
    wait, half of them with no reviewer yet, so huddles show some of each."""
    cutoff = timezone.make_aware(dt.datetime.combine(ctx.last_day - dt.timedelta(days=10), dt.time()))
    settled = cutoff - dt.timedelta(days=50)  # older than this, every review is done
    flags = list(
        IncidentFlag.objects.filter(kind=IncidentFlagKind.PRONE_REVIEW)
        .order_by("incident_id")
        .values_list("incident_id", "raised_at")
    )
    reviewers, reviews = [], []
    for n, (incident_id, raised_at) in enumerate(flags):
        if raised_at >= cutoff and n % 2:
            continue  # recent, no reviewer yet
        name, title = PEOPLE[n % len(PEOPLE)]
        named = raised_at + dt.timedelta(days=1)
        reviewers.append(
            ProneReviewer(
                incident_id=incident_id,
                reviewer_name=name,
                reviewer_job_title=title,
                named_at=named,
                named_by_id=governance,
            )
        )
        if raised_at < settled or (raised_at < cutoff and n % 5):
            reviews.append(
                ProneReview(
                    incident_id=incident_id,
                    why_prone="The patient went to the floor face down during the hold.",
                    minutes_prone=2 + n % 8,
                    avoidable=("no", "yes", "unsure")[n % 3],
                    avoidable_text="" if n % 3 == 0 else "Earlier use of the quiet room might have helped.",
                    learning="Turn to supine as soon as it is safe; plan who leads the turn.",
                    reviewer_name=name,
                    completed_at=named + dt.timedelta(days=3),
                    completed_by_id=governance,
                )
            )
    ProneReviewer.objects.bulk_create(reviewers, batch_size=2000)
    ProneReview.objects.bulk_create(reviews, batch_size=2000)
    ctx.writer.counts[ProneReviewer._meta.label] += len(reviewers)
    ctx.writer.counts[ProneReview._meta.label] += len(reviews)
