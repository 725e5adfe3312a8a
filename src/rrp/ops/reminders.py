"""Reminders: what is due on each ward, to the people who can act on it, by email or GOV.UK Notify.

Built by the worker on the schedule (rrp.ops.schedule) into an outbox (`Reminder`), then sent; a failed
send is retried with growing gaps and, after the last attempt, shown to administrators
(/ops/reminders/). Every attempt is in the audit log. A reminder says what is due, on which ward, and
links to it: an episode or incident by its number, never a patient's name or NHS number, because email
leaves the NHS network's control. Commissioners are told when someone at a provider their ICB
commissions enters long-term segregation, by episode number and pseudonym. The owners of recommendations
of independent reviews and C(E)TRs (issue 17) are told when one falls overdue and weekly while it stays
so: the provider's staff who record segregation on its ward, or the commissioning ICB's commissioners.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from notifications_python_client.notifications import NotificationsAPIClient

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission, Role
from rrp.core.formatting import long_date, long_date_time
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.force.codes import CqcReason, CqcTaskStatus, InterventionType
from rrp.force.models import CqcNotificationTask, InterventionRecord, PhysicalHealthObservation
from rrp.force.observations import HourState, monitoring_hours, rt_monitoring_state
from rrp.force.selectors import follow_up_outstanding
from rrp.ops.models import Reminder, ReminderKind, ReminderPreference, ReminderStatus
from rrp.organisations.models import Ward
from rrp.segregation.codes import ActionOwner, ActionStatus, EpisodeKind, OversightReviewKind, due_label
from rrp.segregation.models import Episode
from rrp.segregation.oversight_selectors import OverdueAction, overdue_actions_to_remind
from rrp.segregation.pseudonyms import pseudonym
from rrp.segregation.selectors import due_by_ward

UK = zoneinfo.ZoneInfo("Europe/London")
logger = logging.getLogger("rrp.ops.reminders")

#: Who may act on each kind, and so may be reminded of it (on that ward).
PERMISSION_FOR = {
    ReminderKind.REVIEWS: Permission.SEGREGATION_RECORD,
    ReminderKind.FOLLOW_UP: Permission.INCIDENT_RECORD,
    ReminderKind.RT_OBSERVATIONS: Permission.INCIDENT_RECORD,
    ReminderKind.CQC: Permission.CQC_TASK_COMPLETE,
    ReminderKind.LTS_ENTRY: Permission.COMMISSIONED_LTS_REGISTER_VIEW,
    ReminderKind.OVERDUE_ACTIONS: Permission.SEGREGATION_RECORD,
    ReminderKind.ICB_ACTIONS: Permission.COMMISSIONER_ACTION_RECORD,
}
#: The kinds sent to the commissioner users of the ICBs that commission the ward's provider.
COMMISSIONER_KINDS = (ReminderKind.LTS_ENTRY, ReminderKind.ICB_ACTIONS)
REVIEWS_WITHIN = dt.timedelta(hours=2)
FOLLOW_UP_DAYS = 28
MAX_ATTEMPTS = 5
FIRST_RETRY = dt.timedelta(minutes=5)
#: The UK hour whose slot reminds of every CQC notification task still open; other hours, only new ones.
CQC_DIGEST_HOUR = 8


@dataclass(frozen=True)
class WardNotice:
    """What is due of one kind on one ward, in words, with a link for each item."""

    kind: ReminderKind
    ward: Ward
    subject: str
    lines: tuple[str, ...]


def _link(name: str, **kwargs: int) -> str:
    return f"{settings.RRP_BASE_URL}{reverse(name, kwargs=kwargs)}"


def _when(value: dt.datetime) -> str:
    return long_date_time(value)


def reviews_notices(now: dt.datetime) -> list[WardNotice]:
    """Per ward, the seclusion and segregation reviews overdue or due within two hours."""
    notices = []
    for ward, entries in due_by_ward(now=now, within=REVIEWS_WITHIN):
        lines, overdue = [], 0
        for state, items in entries:
            kind = EpisodeKind(state.episode.kind).label.lower()
            for item in items:
                overdue += item.overdue
                status = "OVERDUE" if item.overdue else "due"
                lines.append(
                    f"Episode {state.episode.pk} ({kind}): {due_label(item.kind).lower()} {status}, due "
                    f"{_when(item.due_at)}\n  {_link('segregation:episode', episode_id=state.episode.pk)}"
                )
        subject = f"{overdue} overdue" if overdue else "Due soon"
        notices.append(
            WardNotice(
                ReminderKind.REVIEWS,
                ward,
                f"{subject}: seclusion and segregation reviews on {ward.name}",
                tuple(lines),
            )
        )
    return notices


def follow_up_notices(now: dt.datetime, wards: list[Ward] | None = None) -> list[WardNotice]:
    """Per ward (`wards`, or every ward with an incident in the last 28 days), staff statements and
    patient debriefs still to come on the last 28 days' incidents."""
    since = timezone.localdate(now) - dt.timedelta(days=FOLLOW_UP_DAYS)
    if wards is None:
        recent = now - dt.timedelta(days=FOLLOW_UP_DAYS + 1)
        wards = list(
            Ward.objects.filter(incidents__created_at__gte=recent).distinct().select_related("provider")
        )
    notices = []
    for ward in wards:
        waiting = follow_up_outstanding(ward.pk, since=since)
        if not (waiting.statements or waiting.debriefs):
            continue
        lines = []
        if waiting.statements:
            lines.append(
                f"{waiting.statements} staff statements to write, on {waiting.statement_incidents} incidents"
            )
        if waiting.debriefs:
            lines.append(f"{waiting.debriefs} patient debriefs neither held nor explained")
        lines.append(
            f"The ward's incidents: {settings.RRP_BASE_URL}{reverse('force:incident-list')}?ward={ward.pk}"
        )
        notices.append(
            WardNotice(
                ReminderKind.FOLLOW_UP,
                ward,
                f"Statements and debriefs outstanding on {ward.name}",
                tuple(lines),
            )
        )
    return notices


def rt_notices(now: dt.datetime) -> list[WardNotice]:
    """Per ward, incidents whose hourly observations after rapid tranquillisation are due or overdue."""
    hours = monitoring_hours()
    recent = (
        InterventionRecord.objects.current()
        .filter(
            type_code=InterventionType.RAPID_TRANQUILLISATION,
            started_at__gte=now - dt.timedelta(hours=hours + 1),
            started_at__lte=now,
        )
        .values_list("version__incident_id", "version__incident__ward_id", "started_at")
    )
    starts: dict[tuple[int, int], list[dt.datetime]] = defaultdict(list)
    for incident_id, ward_id, started_at in recent:
        starts[(incident_id, ward_id)].append(started_at)
    observations = defaultdict(list)
    for observation in PhysicalHealthObservation.objects.filter(
        incident_id__in=[incident for incident, _ in starts]
    ).only("incident_id", "observed_at", "refused"):
        observations[observation.incident_id].append(observation)
    by_ward: dict[int, list[str]] = defaultdict(list)
    for (incident_id, ward_id), times in sorted(starts.items()):
        state = rt_monitoring_state(starts=times, observations=observations[incident_id], at=now, hours=hours)
        waiting = [h for h in state.hours if h.state in (HourState.OVERDUE, HourState.DUE)]
        if not waiting:
            continue
        late = sum(h.state == HourState.OVERDUE for h in waiting)
        by_ward[ward_id].append(
            f"Incident {incident_id}: {len(waiting)} hourly observations waiting ({late} overdue), the next due "
            f"{_when(waiting[-1].due_at)}\n  {_link('force:incident-detail', incident_id=incident_id)}"
        )
    wards = Ward.objects.in_bulk(list(by_ward))
    return [
        WardNotice(
            ReminderKind.RT_OBSERVATIONS,
            wards[ward_id],
            f"Observations due after rapid tranquillisation on {wards[ward_id].name}",
            tuple(lines),
        )
        for ward_id, lines in sorted(by_ward.items())
    ]


def cqc_notices(now: dt.datetime, slot: dt.datetime) -> list[WardNotice]:
    """Per ward, CQC notification tasks (Registration Regulations 2009 reg 18: death, serious injury,
    police, abuse) still open: in the 08:00 UK slot every one, in any other hourly slot those raised in
    the hour before it, so a new task reaches provider governance within the hour and an open one is
    repeated once a day, not every hour. Voided incidents' tasks are left out."""
    open_tasks = CqcNotificationTask.objects.filter(
        status=CqcTaskStatus.OPEN, incident__void__isnull=True
    ).select_related("incident")
    digest = slot.astimezone(UK).hour == CQC_DIGEST_HOUR
    if not digest:
        open_tasks = open_tasks.filter(raised_at__gte=slot - dt.timedelta(hours=1), raised_at__lt=slot)
    by_ward: dict[int, list[str]] = defaultdict(list)
    for cqc_task in open_tasks.order_by("raised_at", "pk"):
        why = "; ".join(CqcReason(reason).label.lower() for reason in cqc_task.reasons)
        by_ward[cqc_task.incident.ward_id].append(
            f"Incident {cqc_task.incident_id}: {why}; raised {_when(cqc_task.raised_at)}, to notify without "
            f"delay\n  {_link('force:cqc-task-complete', task_id=cqc_task.pk)}"
        )
    wards = Ward.objects.select_related("provider").in_bulk(list(by_ward))
    what = "CQC notifications still to make" if digest else "New CQC notifications to make"
    return [
        WardNotice(
            ReminderKind.CQC, wards[ward_id], f"{what}: {len(lines)} on {wards[ward_id].name}", tuple(lines)
        )
        for ward_id, lines in sorted(by_ward.items())
    ]


def lts_entry_notices(slot: dt.datetime) -> list[WardNotice]:
    """Per ward, the long-term segregation episodes recorded in the hour before the slot: the alert to
    the commissioners of the ward's provider that someone they commission care for has entered long-term
    segregation (issue 17, item 3). By episode number and the keyed pseudonym their register shows, never
    a name: a case manager with named access sees who it is on the linked page."""
    episodes = (
        Episode.objects.filter(
            kind=EpisodeKind.LONG_TERM_SEGREGATION,
            created_at__gte=slot - dt.timedelta(hours=1),
            created_at__lt=slot,
        )
        .with_current()
        .order_by("created_at", "pk")
    )
    by_ward: dict[int, list[str]] = defaultdict(list)
    for episode in episodes:
        by_ward[episode.ward_id].append(
            f"Episode {episode.pk}: person {pseudonym(episode.patient_id)} entered long-term segregation on "
            f"{_when(episode.current_started_at)}\n  {settings.RRP_BASE_URL}"
            f"{reverse('segregation:commissioner-oversight')}"
        )
    wards = Ward.objects.select_related("provider").in_bulk(list(by_ward))
    return [
        WardNotice(
            ReminderKind.LTS_ENTRY,
            wards[ward_id],
            f"Entered long-term segregation: {len(lines)} at {wards[ward_id].provider.name}",
            tuple(lines),
        )
        for ward_id, lines in sorted(by_ward.items())
    ]


def _action_line(action: OverdueAction, *, for_icb: bool) -> str:
    state = action.state
    recommendation = state.recommendation
    review = recommendation.independent_review
    # The review's kind and number, and for the ICB the pseudonym its register shows: never the
    # recommendation's words, which may name the person.
    about = f"{OversightReviewKind(review.kind).label} {review.pk}"
    if for_icb:
        about += f", person {pseudonym(review.patient_id)}"
        link = _link("segregation:commissioner-recommendation-status", recommendation_id=recommendation.pk)
    else:
        link = _link("segregation:recommendation-status", recommendation_id=recommendation.pk)
    days = state.days_overdue
    return (
        f"Recommendation {recommendation.number} of {about}: {ActionStatus(state.status).label.lower()}, due "
        f"{long_date(recommendation.due_on)}, overdue by {days} day{'s' if days != 1 else ''}\n  {link}"
    )


def overdue_action_notices(now: dt.datetime) -> dict[str, list[WardNotice]]:
    """Per ward, the recommendations of independent reviews and C(E)TRs that fell overdue yesterday or a
    week ago (and weekly before that), by kind: those the provider owns (`OVERDUE_ACTIONS`, to the staff
    who record segregation on the ward, who update them) and those commissioners own (`ICB_ACTIONS`, to
    the commissioning ICBs' commissioners, who since decision 0076 update their own)."""
    by_ward: dict[tuple[str, int], list[str]] = defaultdict(list)
    for action in overdue_actions_to_remind(timezone.localdate(now)):
        for_icb = action.state.recommendation.owner == ActionOwner.COMMISSIONER
        kind = ReminderKind.ICB_ACTIONS if for_icb else ReminderKind.OVERDUE_ACTIONS
        by_ward[(kind, action.ward_id)].append(_action_line(action, for_icb=for_icb))
    wards = Ward.objects.select_related("provider").in_bulk([ward_id for _, ward_id in by_ward])
    notices: dict[str, list[WardNotice]] = {ReminderKind.OVERDUE_ACTIONS: [], ReminderKind.ICB_ACTIONS: []}
    for (kind, ward_id), lines in sorted(by_ward.items()):
        ward = wards[ward_id]
        where = f"{ward.provider.name}, {ward.name}" if kind == ReminderKind.ICB_ACTIONS else ward.name
        subject = f"{len(lines)} overdue recommendation action{'s' if len(lines) != 1 else ''} on {where}"
        notices[kind].append(WardNotice(ReminderKind(kind), ward, subject, tuple(lines)))
    return notices


def notices_for(kinds: Iterable[str], *, now: dt.datetime, slot: dt.datetime) -> list[WardNotice]:
    """The notices of each of `kinds` (ReminderKind values), in that order, as at `now` for `slot`."""
    actions: dict[str, list[WardNotice]] = {}

    def overdue(kind: str) -> list[WardNotice]:
        if not actions:  # both owners' notices from one reading of the recommendations
            actions.update(overdue_action_notices(now))
        return actions[kind]

    builders: dict[str, Callable[[], list[WardNotice]]] = {
        ReminderKind.REVIEWS: lambda: reviews_notices(now),
        ReminderKind.RT_OBSERVATIONS: lambda: rt_notices(now),
        ReminderKind.FOLLOW_UP: lambda: follow_up_notices(now),
        ReminderKind.CQC: lambda: cqc_notices(now, slot),
        ReminderKind.LTS_ENTRY: lambda: lts_entry_notices(slot),
        ReminderKind.OVERDUE_ACTIONS: lambda: overdue(ReminderKind.OVERDUE_ACTIONS),
        ReminderKind.ICB_ACTIONS: lambda: overdue(ReminderKind.ICB_ACTIONS),
    }
    return [notice for kind in kinds for notice in builders[ReminderKind(kind)]()]


def chosen_kinds(user: User) -> set[str]:
    """The kinds `user` has chosen; every kind when they have not chosen."""
    preference = ReminderPreference.objects.filter(user=user).first()
    return set(preference.kinds) if preference else set(ReminderKind.values)


def kinds_available(user: User) -> list[ReminderKind]:
    """The kinds `user`'s role may act on somewhere, so may choose."""
    return [kind for kind, permission in PERMISSION_FOR.items() if has_permission(user, permission)]


def recipients(notice: WardNotice) -> list[User]:
    """The active users with an email address who may act on the notice's ward and chose its kind (CQC
    tasks: only their own provider's governance, who alone see its task list, force.selectors; someone
    entering long-term segregation and the actions commissioners own: the commissioner users of the ICBs
    that commission the provider)."""
    if notice.kind in COMMISSIONER_KINDS:
        commissioners = (
            User.objects.filter(
                is_active=True,
                role=Role.COMMISSIONER,
                commissioner__in=notice.ward.provider.commissioners.all(),
            )
            .exclude(email="")
            .order_by("pk")
        )
        return [
            user
            for user in commissioners
            if has_permission(user, PERMISSION_FOR[notice.kind]) and notice.kind in chosen_kinds(user)
        ]
    candidates = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(wards=notice.ward) | Q(provider_id=notice.ward.provider_id))
        .distinct()
        .order_by("pk")
    )
    permission = PERMISSION_FOR[notice.kind]
    return [
        user
        for user in candidates
        if has_permission(user, permission, ward=notice.ward)
        and (notice.kind != ReminderKind.CQC or user.provider_id == notice.ward.provider_id)
        and notice.kind in chosen_kinds(user)
    ]


def body_for(notice: WardNotice, now: dt.datetime) -> str:
    """The reminder's text: the ward, what is due with links, and how to change what one gets."""
    provider = notice.ward.provider.name
    return "\n".join(
        [
            f"{ReminderKind(notice.kind).label} on {notice.ward.name} ({provider}), as at {_when(now)}:",
            "",
            *[f"- {line}" for line in notice.lines],
            "",
            "You get this from Reducing Restrictive Practice because you can act on it. Choose what you are "
            f"reminded of: {settings.RRP_BASE_URL}{reverse('ops:reminder-preferences')}",
        ]
    )


def build(notices: list[WardNotice], *, slot: dt.datetime, now: dt.datetime) -> int:
    """Put one reminder per notice and recipient in the outbox for `slot` (none twice); how many new."""
    created = 0
    for notice in notices:
        body = body_for(notice, now)
        for user in recipients(notice):
            try:
                with transaction.atomic():
                    Reminder.objects.create(
                        user=user,
                        kind=notice.kind,
                        ward=notice.ward,
                        slot=slot,
                        channel=settings.RRP_REMINDER_CHANNEL,
                        subject=f"RRP: {notice.subject}"[:200],
                        body=body,
                        next_attempt_at=now,
                    )
            except IntegrityError:
                continue  # this slot's reminder is already in the outbox
            created += 1
    return created


def _send_email(reminder: Reminder) -> None:
    EmailMessage(
        subject=reminder.subject,
        body=reminder.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.user.email],
    ).send(fail_silently=False)


def _send_notify(reminder: Reminder) -> None:
    client = NotificationsAPIClient(settings.RRP_NOTIFY_API_KEY, base_url=settings.RRP_NOTIFY_BASE_URL)
    client.send_email_notification(
        email_address=reminder.user.email,
        template_id=settings.RRP_NOTIFY_TEMPLATE_ID,
        personalisation={"subject": reminder.subject, "body": reminder.body},
        reference=f"rrp-reminder-{reminder.pk}",
    )


SENDERS = {"email": _send_email, "notify": _send_notify}


def deliver_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """Send every reminder waiting whose next attempt is due; (sent, failed this time)."""
    now = now or timezone.now()
    sent = failed = 0
    waiting = Reminder.objects.filter(status=ReminderStatus.PENDING, next_attempt_at__lte=now).select_related(
        "user", "ward"
    )
    for reminder in waiting.order_by("next_attempt_at", "pk"):
        reminder.attempts += 1
        try:
            SENDERS[reminder.channel](reminder)
        except Exception as error:  # any failure of the mail server or Notify: retried, then shown
            failed += 1
            reminder.last_error = f"{type(error).__name__}: {error}"[:300]
            if reminder.attempts >= MAX_ATTEMPTS:
                reminder.status = ReminderStatus.FAILED
            else:
                reminder.next_attempt_at = now + FIRST_RETRY * 2 ** (reminder.attempts - 1)
            logger.warning(
                "reminder %s not sent (attempt %s): %s", reminder.pk, reminder.attempts, reminder.last_error
            )
        else:
            sent += 1
            reminder.status = ReminderStatus.SENT
            reminder.sent_at = now
            reminder.last_error = ""
        with transaction.atomic():
            reminder.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
            audit_record(
                actor=None,
                action=AuditAction.EXPORT,
                record=reminder,
                provider_id=reminder.ward.provider_id,
                detail={
                    "reminder": reminder.kind,
                    "channel": reminder.channel,
                    "to_user_id": reminder.user_id,
                    "attempt": reminder.attempts,
                    "outcome": "sent" if reminder.status == ReminderStatus.SENT else "failed",
                },
            )
    return sent, failed
