"""Demo step: quality-improvement projects (issue 14, item 8), so the QI pages are not empty after
`make run`.

What it makes, deterministic by seed (ids assigned here, so the same seed gives the same pages):

- **Ward 1's project** (the demo logins' ward), led by ``ward.manager`` from the day the ward first joined
  a collaborative: an aim of 25% fewer restrictive interventions per 1,000 occupied bed days, its baseline
  worked out from the ward's own figures by ``project_services.baseline_of`` (never typed); outcome,
  process and balancing measures; a team with ``ward.staff``, ``governance`` as sponsor, an expert by
  experience, a carer and a QI coach (named, without accounts); a ramp of three PDSA cycles testing
  safety huddles, a cycle abandoned, a later one still running; two versions of its driver diagram; and
  a dated history of IHI progress scores.
- **A provider-wide project** on the first provider's open wards, led by ``governance``.
- **Projects on other member wards of the national collaborative** (up to six), each testing a change
  idea from the starter package in two cycles, so the collaborative's spread of ideas has something to
  show.

Consistent with the incidents (``force`` step): a ward the incident model gives a sustained fall after
joining (``ctx.extras["force_ward_fall"]``, starting 60 days after it joined), and whose chart shows it
(at least a tenth below the baseline over the following year: a few patients restrained many times can
hide the fall on a small ward), adopts its change just before the fall starts, and its progress score
climbs to 3.5 and beyond; any other ward adapts or abandons its changes and stays at 2.5 (changes
tested, no improvement).

Written straight into the tables with assigned ids (``ctx.writer``), like the other steps; the wipe drops
the append-only triggers of the scores and diagram versions while it deletes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q

from rrp.accounts.models import User
from rrp.demo import reference as ref
from rrp.demo.registry import DemoContext, demo_step
from rrp.improvement.diagram_services import ensure_starter_package, parse_outline
from rrp.improvement.models import (
    ActDecision,
    ChangeIdea,
    ChangeIdeaVersion,
    CoproductionCredit,
    CoproductionEntry,
    CoproductionHow,
    DriverDiagramVersion,
    MeasureRole,
    PdsaCycle,
    ProgressScore,
    ProjectComment,
    ProjectMeasure,
    ProjectStatus,
    QiProject,
    Recognition,
    TeamMember,
    TeamRole,
)
from rrp.improvement.project_services import baseline_of, month_end, month_start
from rrp.measures.catalogue import measure
from rrp.organisations.models import Provider, Ward

AIM_MEASURE = "restrictive-interventions-per-1000-obd"
FALL_LAG_DAYS = 60  # the force step's IMPROVEMENT_LAG_DAYS: the fall starts this long after joining
OTHER_PROJECTS = 6
OWN_IDEA = (
    "Huddle card at the nurses' station",
    "Anticipating flashpoints",
    "huddle, own idea",
    "A card of three questions for the safety huddle (who is at risk today, what helps them, who will "
    "check in with them), kept at the nurses' station.",
    "Written and tested on the ward in PDSA cycles 1 to 3 of its restrictive practice project (demo).",
)
MAIN_OUTLINE_1 = """Staff notice and act on rising tension early
- A daily safety huddle names the patients at risk
  * Safety huddles
- Handover says what helps each person
  * Safewards: positive words
Patients have ways to calm down that they chose
- Calm-down options offered before any hands-on intervention
  * Safewards: calm down methods
Learning after every incident
- A debrief with the patient within 72 hours
  * Post-incident debrief with the patient"""
MAIN_OUTLINE_2 = """Staff notice and act on rising tension early
- A safety huddle on every shift names the patients at risk
  * Safety huddles
  * Huddle card at the nurses' station
- Night staff join the huddle at handover
Patients have ways to calm down that they chose
- Calm-down options offered before any hands-on intervention
  * Safewards: calm down methods
- Patients choose what goes in the calm-down box
Learning after every incident
- A debrief with the patient within 72 hours
  * Post-incident debrief with the patient"""
PROVIDER_OUTLINE = """Every restraint is as short and as safe as it can be
- No one is held face down
  * Positive behaviour support plans
- Every restraint is talked through with the patient afterwards
  * Post-incident debrief with the patient
  * Post-incident debrief for staff
Leaders see where and when restraint happens
- The board reviews restraint by ward and by shift every month
  * Using data to inform practice"""


@dataclass(frozen=True)
class CycleText:
    """One PDSA cycle's words: the plan, then what happened, the study and the decision."""

    title: str
    objective: str
    prediction: str
    plan_details: str
    data_to_collect: str
    what_happened: str
    observations: str
    study: str
    decision: str
    next_steps: str
    idea: str  # the change idea's title in the package
    days: tuple[int, int]  # starts, ends: days after the project started


HUDDLE_RAMP = [
    CycleText(
        "Huddle: one early shift, one week",
        "Will a five-minute huddle at the start of the early shift name the patients at risk of distress "
        "today, with a plan for each?",
        "Staff will name at least two patients at risk and agree who checks in with them; the huddle will "
        "take under five minutes.",
        "The nurse in charge leads a huddle at 07:45 on weekdays for one week, with the ward's huddle "
        "questions; the ward manager observes two of them.",
        "Huddle held or not, minutes taken, patients named, restrictive interventions on those shifts.",
        "Held on four of five days; missed on the day of an admission at 07:30.",
        "It took eight minutes, not five; staff liked hearing who was unsettled overnight.",
        "Prediction partly met: patients were named on every huddle held, but it took eight minutes. No "
        "restrictive intervention on the four huddled shifts (too few to read anything into).",
        ActDecision.ADAPT,
        "Cut the questions to three on a card; try it on every early and late shift.",
        "Safety huddles",
        (14, 20),
    ),
    CycleText(
        "Huddle: every early and late shift",
        "Does the three-question card keep the huddle under five minutes on both day shifts?",
        "Under five minutes on nine huddles in ten; every patient named has a named person checking in.",
        "The nurse in charge of each day shift leads the huddle with the card for two weeks; the ward "
        "clerk records the times.",
        "Minutes taken, huddles held, patients named and checked in with.",
        "26 of 28 huddles held, median four minutes.",
        "Night staff asked why they were not included: most restraints this month were at 07:00 to 09:00.",
        "Prediction met on time and on check-ins. The incidents at handover suggest the night shift "
        "should be in the huddle too.",
        ActDecision.ADAPT,
        "Add the night shift: hold the huddle at each handover.",
        "Safety huddles",
        (28, 41),
    ),
    CycleText(
        "Huddle: every shift, at handover",
        "Does a huddle at every handover, nights included, hold up for a month without extra staff?",
        "Held at nine handovers in ten; restrictive interventions at handover times fall.",
        "Each handover ends with the huddle card, led by the nurse in charge of the incoming shift, for "
        "four weeks; the expert by experience joins two and gives feedback.",
        "Huddles held, interventions by time of day, staff and patient feedback.",
        "Held at 80 of 84 handovers; two agency nurses were shown the card on their first shift.",
        "Patients noticed staff checking in earlier; the expert by experience suggested patients help "
        "word the card.",
        "Prediction met: held at 95% of handovers, and interventions between 07:00 and 09:00 fell from "
        "nine in the month before to three.",
        ActDecision.ADOPT,
        "Adopt: the huddle card goes into the ward's induction and the shift handover sheet.",
        "Safety huddles",
        (49, 76),
    ),
]
LATER_CYCLES = [
    CycleText(
        "Positive words written at handover",
        "Will writing one positive thing about each patient on the handover sheet change how staff talk "
        "about patients?",
        "Every patient has a positive word written on nine handovers in ten.",
        "Nurses add a positive line per patient on the written handover for two weeks.",
        "Handover sheets audited for a positive line; handover length.",
        "Lines written on about half the sheets; handover ran ten minutes over on busy days.",
        "Staff said it felt like a form to fill in rather than a conversation.",
        "Prediction not met: 52% of sheets, and handover grew longer.",
        ActDecision.ABANDON,
        "Abandon the written form; Safewards' positive words are kept as spoken practice in the huddle.",
        "Safewards: positive words",
        (100, 113),
    ),
    CycleText(
        "Calm-down box: patient-chosen items",
        "Will a calm-down box with items chosen at the community meeting be used before restraint?",
        "The box is offered before any hands-on intervention in four cases in five.",
        "Patients choose the items at the community meeting; staff offer the box when tension rises, for "
        "four weeks.",
        "Times offered and used; restrictive interventions where it was or was not offered.",
        "Offered 23 times, used 17 times; two items went missing and were replaced by the activity "
        "coordinator.",
        "Patients asked for headphones and a weighted blanket first.",
        "Prediction met: offered before 19 of 22 interventions considered; 11 were then not needed.",
        ActDecision.ADOPT,
        "Adopt, and keep patients choosing the items each quarter.",
        "Safewards: calm down methods",
        (120, 147),
    ),
]
PROVIDER_CYCLES = [
    CycleText(
        "Patient debrief within 72 hours",
        "Can every patient restrained be offered a debrief within 72 hours by someone not involved?",
        "Nine debriefs in ten offered within 72 hours on the pilot ward.",
        "The ward's psychologist or a nurse from the next ward offers the debrief, for six weeks.",
        "Debriefs offered and held within 72 hours (the patient-debrief measures on the project page).",
        "Most debriefs offered within two days; weekends were the gap.",
        "Patients asked for the debrief to be with someone they knew.",
        "Prediction partly met: 80% within 72 hours, weekend incidents missed most often.",
        ActDecision.ADAPT,
        "Adapt: weekend cover from the on-call nurse; spread to every ward of the project.",
        "Post-incident debrief with the patient",
        (14, 56),
    ),
    CycleText(
        "Debriefs on every ward, weekends too",
        "Does weekend cover by the on-call nurse close the gap on every ward?",
        "Nine debriefs in ten within 72 hours on every ward.",
        "The on-call nurse offers weekend debriefs on all the project's wards for two months.",
        "Debriefs offered and held within 72 hours, by ward and by day of the week.",
        "",
        "",
        "",
        "",
        "",
        "Post-incident debrief with the patient",
        (70, 130),
    ),
]
# The other member wards' projects: (the idea tested, the first cycle's title, the second's).
SPREAD_IDEAS = [
    ("Safewards: soft words", "Soft words: one shift", "Soft words: every shift"),
    ("Safewards: mutual help meeting", "Mutual help meeting: weekly", "Mutual help meeting: twice weekly"),
    ("Safewards: know each other", "Know each other: staff profiles", "Know each other: patients' own"),
    ("Reviewing blanket restrictions", "Blanket restrictions: one list", "Blanket restrictions removed"),
    ("Positive behaviour support plans", "PBS plan: two patients", "PBS plans for all restrained twice"),
    ("Post-incident debrief for staff", "Staff debrief: after each hold", "Staff debrief: every shift"),
]


@dataclass
class Rows:
    """Every row the step writes, per model, as dicts, before they are turned into columns."""

    by_model: dict[type, list[dict]] = field(default_factory=dict)

    def add(self, model: type, **values: object) -> int:
        rows = self.by_model.setdefault(model, [])
        # Choices (str enums) as their plain values, which the driver writes as text.
        values = {k: str(v) if isinstance(v, str) else v for k, v in values.items()}
        values["id"] = len(rows) + 1
        rows.append(values)
        return int(values["id"])


def qi_projects_wipe(ctx: DemoContext) -> None:
    """Delete every project with its cycles, team, measures, scores and diagrams, and providers' and
    collaboratives' own change ideas with their versions (the starter set stays): projects are only ever demo data here, and a project someone made in the
    browser would otherwise stop the demo's providers being deleted."""
    ctx.writer.delete_all_append_only(
        (
            CoproductionCredit,
            CoproductionEntry,
            ProjectComment,
            ProgressScore,
            DriverDiagramVersion,
            ChangeIdeaVersion,
        )
    )
    for model in (
        PdsaCycle.wards.through,
        PdsaCycle,
        TeamMember,
        ProjectMeasure,
        QiProject.wards.through,
        QiProject,
    ):
        ctx.writer.delete_all(model)
    ChangeIdea.objects.filter(Q(provider__isnull=False) | Q(collaborative__isnull=False)).delete()


@demo_step(
    "qi_projects",
    after=("improvement", "monthly_figures", "debriefs", "voice_checks", "logins", "collaboratives"),
    wipe=qi_projects_wipe,
)
def qi_projects(ctx: DemoContext) -> None:
    """Ward 1's project, a provider-wide one, and projects on other member wards of the national
    collaborative, with their teams, cycles, diagrams and scores."""
    users = dict(
        User.objects.filter(
            username__in=["ward.manager", "ward.staff", "governance", "admin", "expert.experience"]
        ).values_list("username", "pk")
    )
    if len(users) < 4:
        return
    ensure_starter_package()
    builder = _Builder(ctx, users)
    builder.own_idea()
    wards = ctx.frame("ward")
    fall = ctx.extras.get("force_ward_fall", np.zeros(len(wards["id"])))
    joined = _first_joined(ctx)
    builder.main_project(ward_index=0, joined=joined, fall=fall)
    builder.provider_project(joined=joined)
    builder.spread_projects(joined=joined, fall=fall)
    builder.write()


def _first_joined(ctx: DemoContext) -> dict[int, int]:
    """Each member ward's first day in any collaborative, by ward index (the day the force step's fall is
    counted from)."""
    wards, members = ctx.frame("ward"), ctx.frame("collaborative_membership")
    first: dict[int, int] = {}
    for ward_id, day in zip(members["ward_id"].tolist(), members["joined"].tolist(), strict=True):
        index = int(np.searchsorted(wards["id"], ward_id))
        first[index] = min(first.get(index, day), day)
    return first


class _Builder:
    def __init__(self, ctx: DemoContext, users: dict[str, int]) -> None:
        self.ctx = ctx
        self.users = users
        self.rows = Rows()
        self.rng = ctx.rng
        self.ideas = {t.lower(): pk for t, pk in ChangeIdea.objects.values_list("title", "pk")}
        self.wards = ctx.frame("ward")
        self.ward_names = dict(Ward.objects.values_list("pk", "name"))
        self.provider_names = dict(Provider.objects.values_list("pk", "name"))
        self.project_frame: list[tuple[int, int, int]] = []  # id, first ward, start day
        # The first whole month inside the period: a baseline never starts before the demo's data.
        first = ctx.first_day
        self.first_month = first if first.day == 1 else month_end(first) + dt.timedelta(days=1)

    # --- dates --------------------------------------------------------------------------------------

    def date(self, day: int) -> dt.date:
        return self.ctx.first_day + dt.timedelta(days=int(day))

    def at(self, day: int, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(self.date(day), dt.time(hour))

    def in_period(self, day: int) -> bool:
        return 0 <= day < self.ctx.n_days

    # --- pieces -------------------------------------------------------------------------------------

    def own_idea(self) -> None:
        """The first provider's own change idea, beside the starter set (written after the starter ids)."""
        title, driver, tags, description, source = OWN_IDEA
        self.own_idea_id = (max(self.ideas.values(), default=0)) + 1
        self.ctx.writer.insert(
            ChangeIdea,
            {
                "id": [self.own_idea_id],
                "title": [title],
                "description": [description],
                "source": [source],
                "source_url": [""],
                "driver": [driver],
                "tags": [tags],
                "provider_id": [int(self.wards["provider_id"][0])],
                "version": [1],
                "withdrawn_reason": [""],
                "created_by_id": [self.users["ward.manager"]],
                "created_at": np.array([self.at(0)], dtype="datetime64[s]"),
            },
        )
        self.ideas[title.lower()] = self.own_idea_id

    def baseline_months(self, start: int) -> tuple[dt.date, dt.date]:
        """The 12 whole months before a project starts, or as many as the period holds."""
        baseline_end = month_start(self.date(start)) - dt.timedelta(days=1)
        return max(self.first_month, month_start(baseline_end - dt.timedelta(days=364))), baseline_end

    def improves(self, ward_index: int, start: int, fall: np.ndarray) -> bool:
        """Whether the ward's change is adopted: the incident model gives the ward a fall after it joined
        and its chart shows it, restrictive interventions at least a tenth below the baseline months over
        the year after the fall begins (a ward whose patient mix hides the fall keeps testing). Where the
        period ends too soon to tell, the model's fall decides."""
        if fall[ward_index] <= 0:
            return False
        since, until = self.baseline_months(start)
        after_start = month_start(self.date(start + FALL_LAG_DAYS + 31))
        after_end = min(
            month_end(self.date(start + FALL_LAG_DAYS + 365)),
            month_start(self.ctx.last_day) - dt.timedelta(days=1),
        )
        if until < since or after_end < after_start:
            return True
        ward_ids = [int(self.wards["id"][ward_index])]
        before = baseline_of(measure(AIM_MEASURE), ward_ids=ward_ids, since=since, until=until)
        after = baseline_of(measure(AIM_MEASURE), ward_ids=ward_ids, since=after_start, until=after_end)
        if not before or after is None:
            return True
        return after < 0.9 * before

    def project(
        self,
        *,
        ward_indexes: Sequence[int],
        title: str,
        problem: str,
        start: int,
        aim_measure: str,
        change_percent: int,
        status: str,
        lead: int,
        measures: dict[str, str],
    ) -> int | None:
        """A project whose baseline is the 12 months (or as many as the period holds) before it started,
        worked out from the measure's figures; None where those months hold no figures."""
        start_date = self.date(start)
        baseline_start, baseline_end = self.baseline_months(start)
        if baseline_end < baseline_start:
            return None
        ward_ids = [int(self.wards["id"][i]) for i in ward_indexes]
        baseline = baseline_of(
            measure(aim_measure), ward_ids=ward_ids, since=baseline_start, until=baseline_end
        )
        if baseline is None or baseline <= 0:
            return None
        project_id = self.rows.add(
            QiProject,
            provider_id=int(self.wards["provider_id"][ward_indexes[0]]),
            title=title,
            problem=problem.format(baseline=f"{baseline:.1f}"),
            aim_measure_slug=aim_measure,
            baseline_start=baseline_start,
            baseline_end=baseline_end,
            baseline_value=baseline,
            aim_change_percent=change_percent,
            aim_by=start_date + dt.timedelta(days=540),
            starts_on=start_date,
            ends_on=None,
            status=status,
            version=1,
            created_by_id=lead,
            created_at=self.at(start, 9),
            updated_at=self.at(start, 9),
        )
        for ward_id in ward_ids:
            self.rows.add(QiProject.wards.through, qiproject_id=project_id, ward_id=ward_id)
        for slug, role in measures.items():
            self.rows.add(ProjectMeasure, project_id=project_id, measure_slug=slug, role=role)
        self.project_frame.append((project_id, ward_ids[0], start))
        return project_id

    def member(
        self, project_id: int, role: str, start: int, *, user: int | None = None, name: str = ""
    ) -> int:
        return self.rows.add(
            TeamMember,
            project_id=project_id,
            user_id=user,
            name=name,
            team_role=role,
            joined_on=self.date(start),
            left_on=None,
        )

    def coproduction(
        self, project_id: int, start: int, credited: list[int], *, by: int, expert: int | None
    ) -> None:
        """The project's co-production log (issue 15 item 5): what the experts by experience and the carer
        did and what changed because of it, and a comment by the demo's expert by experience."""
        named, carer, *login = credited
        for day, people, how, decision, changed, recognition in (
            (
                10,
                [named, *login],
                CoproductionHow.CO_DESIGNED,
                "The huddle card: what staff say about each patient at handover",
                "A line 'what helps this person feel safe today' added to every patient's row",
                Recognition.PAID,
            ),
            (
                45,
                [named, carer],
                CoproductionHow.REVIEWED_DATA,
                "Reviewing the first three months of the chart at the team meeting",
                "Evenings named as the time to test calm-down boxes, from the experts' own nights on a ward",
                Recognition.VOUCHER,
            ),
            (
                90,
                [*login] or [named],
                CoproductionHow.CO_WROTE,
                "The leaflet telling patients what happens after restraint",
                "Rewritten in plain words; the debrief offer is on the front page",
                Recognition.VOLUNTEERED,
            ),
        ):
            if not self.in_period(start + day):
                continue
            entry = self.rows.add(
                CoproductionEntry,
                project_id=project_id,
                happened_on=self.date(start + day),
                how=how,
                decision=decision,
                what_changed=changed,
                recognition=recognition,
                recorded_by_id=by,
                recorded_at=self.at(start + day + 1),
            )
            for member in people:
                self.rows.add(CoproductionCredit, entry_id=entry, member_id=member)
        if expert is not None and self.in_period(start + 46):
            self.rows.add(
                ProjectComment,
                project_id=project_id,
                text="The evening chart matches what we remember: tea time to bedtime is when it goes wrong.",
                written_by_id=expert,
                written_at=self.at(start + 46, 19),
            )

    def person(self) -> str:
        """A synthetic name for someone on a team without an account."""
        given = ref.GIVEN_NAMES_FEMALE + ref.GIVEN_NAMES_MALE
        return f"{given[self.rng.integers(len(given))]} {ref.FAMILY_NAMES[self.rng.integers(len(ref.FAMILY_NAMES))]}"

    def scores(self, project_id: int, start: int, history: Sequence[tuple[int, int, str]], by: int) -> None:
        for after, tenths, note in history:
            day = start + after
            if self.in_period(day):
                self.rows.add(
                    ProgressScore,
                    project_id=project_id,
                    tenths=tenths,
                    scored_on=self.date(day),
                    note=note,
                    recorded_by_id=by,
                    recorded_at=self.at(day, 16),
                )

    def diagram(self, project_id: int, number: int, day: int, outline: str, note: str, by: int) -> None:
        if not self.in_period(day):
            return
        parsed = parse_outline(outline, ideas=self.ideas)
        self.rows.add(
            DriverDiagramVersion,
            project_id=project_id,
            number=number,
            content=json.dumps(parsed.content),
            outline=outline,
            note=note,
            saved_by_id=by,
            saved_at=self.at(day, 15),
        )

    def cycle(
        self,
        project_id: int,
        number: int,
        text: CycleText,
        start: int,
        ward_ids: Sequence[int],
        *,
        by: int,
        previous: int | None,
        decision: str | None = None,
        study: str | None = None,
    ) -> int | None:
        """A cycle as far as the period reaches: a test still running at the end has its plan (and what
        happened so far) but no study or decision yet."""
        first, last = start + text.days[0], start + text.days[1]
        if not self.in_period(first):
            return None
        finished = self.in_period(last + 7)
        under_way = self.in_period(first + 7)
        cycle_id = self.rows.add(
            PdsaCycle,
            project_id=project_id,
            number=number,
            title=text.title,
            previous_id=previous,
            change_idea_id=self.ideas.get(text.idea.lower()),
            objective=text.objective,
            prediction=text.prediction,
            plan_details=text.plan_details,
            data_to_collect=text.data_to_collect,
            starts_on=self.date(first),
            ends_on=self.date(last),
            what_happened=text.what_happened if under_way else "",
            observations=text.observations if under_way else "",
            study=(study or text.study) if finished and text.what_happened else "",
            decision=(decision if decision is not None else str(text.decision))
            if finished and text.what_happened
            else "",
            next_steps=text.next_steps if finished and text.what_happened else "",
            version=1 + under_way + 2 * finished,
            created_by_id=by,
            created_at=self.at(first - 5 if first >= 5 else first, 11),
            updated_at=self.at(min(last + 7, self.ctx.n_days - 1) if finished else first, 12),
            withdrawn_at=None,
            withdrawn_reason="",
        )
        for ward_id in ward_ids:
            self.rows.add(PdsaCycle.wards.through, pdsacycle_id=cycle_id, ward_id=ward_id)
        return cycle_id

    # --- the projects -------------------------------------------------------------------------------

    def main_project(self, *, ward_index: int, joined: dict[int, int], fall: np.ndarray) -> None:
        """Ward 1's project, led by the ward manager, from the day the ward joined its collaborative."""
        start = joined.get(ward_index)
        if start is None or not self.in_period(start):
            return
        improver = self.improves(ward_index, start, fall)
        ward_id = int(self.wards["id"][ward_index])
        name = self.ward_names[ward_id]
        manager, staff, governance = (self.users[u] for u in ("ward.manager", "ward.staff", "governance"))
        sustaining = improver and self.in_period(start + 300)
        project_id = self.project(
            ward_indexes=[ward_index],
            title=f"Safer shifts on {name}: fewer restrictive interventions",
            problem=(
                f"Restrictive interventions on {name} ran at {{baseline}} per 1,000 occupied bed days in the "
                "baseline months. Most happen at shift changes and in the evening, when the ward is "
                "busiest; at the community meeting patients said they often did not know what would "
                "happen next, and staff said they found out about a patient's bad night too late."
            ),
            start=start,
            aim_measure=AIM_MEASURE,
            change_percent=25,
            status=ProjectStatus.SUSTAINING if sustaining else ProjectStatus.ACTIVE,
            lead=manager,
            measures={
                "prone-restraints-per-1000-obd": MeasureRole.OUTCOME,
                "patients-felt-safe": MeasureRole.OUTCOME,
                "patient-debrief-held-72h": MeasureRole.PROCESS,
                "staff-injuries": MeasureRole.BALANCING,
                "patient-injuries": MeasureRole.BALANCING,
            },
        )
        if project_id is None:
            return
        self.member(project_id, TeamRole.LEAD, start, user=manager)
        self.member(project_id, TeamRole.MEMBER, start, user=staff)
        self.member(project_id, TeamRole.SPONSOR, start, user=governance)
        named_expert = self.member(project_id, TeamRole.EXPERT_BY_EXPERIENCE, start + 7, name=self.person())
        carer = self.member(project_id, TeamRole.CARER, start + 30, name=self.person())
        self.member(project_id, TeamRole.COACH, start, name=self.person())
        expert = self.users.get("expert.experience")
        credited = [named_expert, carer]
        if expert is not None:
            credited.append(self.member(project_id, TeamRole.EXPERT_BY_EXPERIENCE, start + 7, user=expert))
        self.coproduction(project_id, start, credited, by=manager, expert=expert)
        self.diagram(
            project_id, 1, start + 7, MAIN_OUTLINE_1, "Our first theory, from the launch meeting", manager
        )
        self.diagram(
            project_id,
            2,
            start + 118,
            MAIN_OUTLINE_2,
            "Huddles on every shift with our own card (PDSA 1-3); written positive words dropped (PDSA 4); "
            "patients choose the calm-down items",
            manager,
        )
        previous = None
        for number, text in enumerate(HUDDLE_RAMP, start=1):
            last = number == len(HUDDLE_RAMP)
            previous = self.cycle(
                project_id,
                number,
                text,
                start,
                [ward_id],
                by=manager,
                previous=previous,
                # Where the chart shows no fall, the team keeps testing rather than adopting.
                decision=None if improver or not last else ActDecision.ADAPT,
                study=None
                if improver or not last
                else "Held at most handovers, but the chart of restrictive interventions has not moved: "
                "the huddle alone is not enough.",
            )
        later_previous = None
        for offset, text in enumerate(LATER_CYCLES):
            later_previous = self.cycle(
                project_id,
                len(HUDDLE_RAMP) + 1 + offset,
                text,
                start,
                [ward_id],
                by=manager,
                previous=later_previous if offset else None,
            )
        climb = [
            (0, 10, "Charter agreed at the ward's launch meeting; team named."),
            (14, 20, "Baseline charted; the first huddle tested."),
            (50, 25, "Three cycles of the huddle; measures on the project page with the aim line."),
        ]
        if improver:
            climb += [
                (120, 30, "Huddles adopted on every shift; restrictive interventions starting to fall."),
                (210, 35, "The chart shows a run below the old mean since the huddles were adopted."),
                (300, 40, "Half the aim met: the new level is about a third below the baseline."),
                (420, 45, "The lower level has held for six months; new starters learn the huddle."),
            ]
        else:
            climb += [
                (120, 25, "Changes tested but the chart has not moved yet; trying calm-down methods."),
                (240, 25, "Still no shift on the chart; reviewing the theory with the expert by experience."),
            ]
        self.scores(project_id, start, climb, manager)

    def provider_project(self, *, joined: dict[int, int]) -> None:
        """A project across the first provider's open wards, led by governance (the provider's QI lead)."""
        wards = self.wards
        open_wards = [
            i
            for i in np.flatnonzero((wards["provider_id"] == wards["provider_id"][0]) & (wards["closed"] < 0))
            if wards["opened"][i] <= 0
        ][:4]
        if len(open_wards) < 2:
            return
        start = max(joined.get(0, 0) + 150, self.ctx.n_days // 2)
        if not self.in_period(start):
            return
        governance, manager = self.users["governance"], self.users["ward.manager"]
        provider = self.provider_names[int(wards["provider_id"][0])]
        project_id = self.project(
            ward_indexes=open_wards,
            title="No one held face down: prone restraint across the trust",
            problem=(
                f"Prone restraint is the most dangerous hold, and {provider}'s wards still use it. Across "
                "the project's wards it ran at {baseline} per 1,000 occupied bed days in the baseline "
                "months; the board asked for prone restraint to end except where no "
                "other hold is safe."
            ),
            start=start,
            aim_measure="prone-restraints-per-1000-obd",
            change_percent=50,
            status=ProjectStatus.ACTIVE,
            lead=governance,
            measures={
                AIM_MEASURE: MeasureRole.OUTCOME,
                "patient-debrief-held-72h": MeasureRole.PROCESS,
                "rapid-tranquillisation-per-1000-obd": MeasureRole.BALANCING,
            },
        ) or self.project(
            ward_indexes=open_wards,
            title="Fewer restrictive interventions across the trust",
            problem=(
                f"Restrictive interventions on {provider}'s wards ran at {{baseline}} per 1,000 occupied "
                "bed days in the baseline months."
            ),
            start=start,
            aim_measure=AIM_MEASURE,
            change_percent=25,
            status=ProjectStatus.ACTIVE,
            lead=governance,
            measures={"patient-debrief-held-72h": MeasureRole.PROCESS},
        )
        if project_id is None:
            return
        self.member(project_id, TeamRole.LEAD, start, user=governance)
        self.member(project_id, TeamRole.MEMBER, start, user=manager)
        self.member(project_id, TeamRole.EXPERT_BY_EXPERIENCE, start, name=self.person())
        self.member(project_id, TeamRole.COACH, start, name=self.person())
        self.diagram(
            project_id,
            1,
            start + 10,
            PROVIDER_OUTLINE,
            "Agreed at the trust's RRP steering group",
            governance,
        )
        ward_ids = [int(wards["id"][i]) for i in open_wards]
        first = self.cycle(
            project_id, 1, PROVIDER_CYCLES[0], start, ward_ids[:1], by=governance, previous=None
        )
        self.cycle(project_id, 2, PROVIDER_CYCLES[1], start, ward_ids, by=governance, previous=first)
        self.scores(
            project_id,
            start,
            [
                (0, 10, "Steering group agreed the charter."),
                (30, 15, "Meetings set; baseline being checked with each ward."),
                (70, 20, "First cycle studied; debriefs spreading to every ward."),
            ],
            governance,
        )

    def spread_projects(self, *, joined: dict[int, int], fall: np.ndarray) -> None:
        """Projects on other member wards of the national collaborative, each testing one starter idea."""
        members = self.ctx.frame("collaborative_membership")
        national = members["ward_id"][members["collaborative_id"] == 1]
        provider_one = int(self.wards["provider_id"][0])
        admin = self.users["admin"]
        made = 0
        for ward_id in sorted(int(w) for w in national):
            if made >= OTHER_PROJECTS:
                break
            index = int(np.searchsorted(self.wards["id"], ward_id))
            if int(self.wards["provider_id"][index]) == provider_one or index not in joined:
                continue
            start = joined[index] + int(self.rng.integers(0, 15))
            if not self.in_period(start + 60):
                continue
            idea, first_title, second_title = SPREAD_IDEAS[made % len(SPREAD_IDEAS)]
            improver = self.improves(index, start, fall)
            name = self.ward_names[ward_id]
            project_id = self.project(
                ward_indexes=[index],
                title=f"{idea.removeprefix('Safewards: ').capitalize()} on {name}",
                problem=(
                    f"{name} joined the national cohort with restrictive interventions at {{baseline}} per "
                    "1,000 occupied bed days; the team chose one change from the package to test first."
                ),
                start=start,
                aim_measure=AIM_MEASURE,
                change_percent=25,
                status=ProjectStatus.ACTIVE,
                lead=admin,
                measures={"patient-debrief-held-72h": MeasureRole.PROCESS},
            )
            if project_id is None:
                continue
            made += 1
            self.member(project_id, TeamRole.LEAD, start, name=self.person())
            self.member(project_id, TeamRole.EXPERT_BY_EXPERIENCE, start, name=self.person())
            first = self.cycle(
                project_id, 1, _spread_cycle(idea, first_title, (7, 27), final=False), start, [ward_id],
                by=admin, previous=None,
            )  # fmt: skip
            self.cycle(
                project_id, 2, _spread_cycle(idea, second_title, (35, 55), final=True, adopted=improver),
                start, [ward_id], by=admin, previous=first,
            )  # fmt: skip
            history = [(0, 10, "Charter agreed."), (30, 20, "First test studied.")]
            history += (
                [(120, 30, "Adopted; the chart is moving.")]
                if improver
                else [(120, 25, "Tested; no change yet.")]
            )
            self.scores(project_id, start, history, admin)

    # --- writing ------------------------------------------------------------------------------------

    def write(self) -> None:
        for model, rows in self.rows.by_model.items():
            self.ctx.writer.insert(model, _columns(rows))
        frame = np.array(self.project_frame, dtype=np.int64).reshape(-1, 3)
        self.ctx.publish("qi_project", {"id": frame[:, 0], "ward_id": frame[:, 1], "start": frame[:, 2]})
        cycles = self.rows.by_model.get(PdsaCycle, [])
        self.ctx.publish(
            "pdsa_cycle",
            {
                "id": np.array([c["id"] for c in cycles], dtype=np.int64),
                "project_id": np.array([c["project_id"] for c in cycles], dtype=np.int64),
                "decision": np.array([c["decision"] for c in cycles], dtype=str),
            },
        )


def _spread_cycle(
    idea: str, title: str, days: tuple[int, int], *, final: bool, adopted: bool = False
) -> CycleText:
    """A short cycle of a member ward's test of a starter idea: adapt after the first, then adopt (where
    the ward's chart fell) or abandon."""
    decision = ActDecision.ADAPT if not final else (ActDecision.ADOPT if adopted else ActDecision.ABANDON)
    study = (
        "Done as planned on most shifts; staff asked for a shorter version."
        if not final
        else "Done on nearly every shift and patients noticed; interventions fell in the weeks after."
        if adopted
        else "Hard to keep going with the staff on the ward; no change in interventions."
    )
    return CycleText(
        title=title,
        objective=f"Can the ward make '{idea}' part of every shift?",
        prediction="Done on four shifts in five, and staff find it worth the time.",
        plan_details="The ward manager and the expert by experience run it for three weeks; the team "
        "reviews it at the weekly meeting.",
        data_to_collect="Shifts where it was done; staff and patient feedback; restrictive interventions.",
        what_happened="Run for three weeks as planned.",
        observations="Two shifts short-staffed; done on the others.",
        study=study,
        decision=decision,
        next_steps="Adapt and test on every shift."
        if not final
        else "Share at the collaborative's learning set.",
        idea=idea,
        days=days,
    )


def _columns(rows: list[dict]) -> dict[str, object]:
    """Rows (dicts with the same keys) as columns the writer takes: dates and datetimes as numpy arrays
    (None as NaT), anything else as a plain list (None as NULL)."""
    columns: dict[str, object] = {}
    for name in rows[0]:
        values = [row[name] for row in rows]
        kinds = {type(v) for v in values if v is not None}
        if kinds == {dt.datetime}:
            columns[name] = np.array(values, dtype="datetime64[s]")
        elif kinds == {dt.date}:
            columns[name] = np.array(values, dtype="datetime64[D]")
        elif not kinds:
            columns[name] = np.array(values, dtype=object)
        else:
            columns[name] = np.array(values, dtype=object) if None in values else values
    return columns
