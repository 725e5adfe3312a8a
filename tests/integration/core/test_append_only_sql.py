"""Append-only in the database, whatever the SQL: every append-only table, on the database the suite
runs on (SQLite, or PostgreSQL with DATABASE_URL), refuses UPDATE, DELETE, TRUNCATE (PostgreSQL),
REPLACE (SQLite), upserts and MERGE, and a row attacked is still there as it was.

Issue 12 saw `TRUNCATE core_auditevent` and `TRUNCATE force_incidentversion CASCADE` succeed on
PostgreSQL, and `INSERT OR REPLACE` rewrite a version, an audit event, a review and an incident on
SQLite. The models are found from the app registry, so a new AppendOnlyModel without its triggers (or
without a row in the fixture below) fails here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from rrp.act.models import (
    Delegation,
    Investigation,
    InvestigationVersion,
    PolicyVersion,
    ProneReview,
    ProneReviewer,
    ResponsiblePersonAppointment,
    TrainingCompletion,
    TrainingCourse,
)
from rrp.core.db import trigger_names
from rrp.core.models import AppendOnlyModel, AuditAction
from rrp.core.services import audit_record
from rrp.force.models import (
    Debrief,
    IncidentClosure,
    IncidentStatusChange,
    IncidentVoid,
    PhysicalHealthObservation,
    StaffStatement,
)
from rrp.force.services import incident_record
from rrp.improvement.models import (
    ChangeIdea,
    ChangeIdeaVersion,
    ChartRebase,
    CoproductionCredit,
    CoproductionEntry,
    DriverDiagramVersion,
    ImprovementAim,
    LearningSetNote,
    ProgressScore,
    ProjectComment,
    ProjectSeries,
    QiProject,
    ReasonRedaction,
    TeamMember,
    TemplateDiagramVersion,
    WardEvent,
    WardEventRedaction,
    Withdrawal,
)
from rrp.measures.models import BoardMeasureSet, DefinitionProposal, DefinitionReview, MeasureValue
from rrp.people.models import (
    HospitalSpell,
    RightsInformation,
    StaffMember,
    SupportPlanReviewRequest,
    SupportPlanVersion,
    VoiceCheck,
)
from rrp.segregation.models import (
    CommissionerVisit,
    DeFactoDecision,
    EndPlanStep,
    EndPlanVersion,
    Episode,
    EpisodeVersion,
    IndependentReview,
    IndependentReviewText,
    NamedAccessGrant,
    NamedAccessRevocation,
    Observation,
    PanelMember,
    Recommendation,
    RecommendationUpdate,
    Review,
)
from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions

APPEND_ONLY_MODELS = sorted(
    (m for m in apps.get_models() if issubclass(m, AppendOnlyModel)), key=lambda m: m._meta.label
)
POSTGRES = connection.vendor == "postgresql"
SQLITE = connection.vendor == "sqlite"


def _project_rows(project, manager, now) -> None:
    """A project's driver diagram version and a series saved to it (issue 14 item 2, issue 20 item 4)."""
    DriverDiagramVersion.objects.create(
        project=project, number=1, content={"primary": []}, outline="A driver", saved_by=manager, saved_at=now
    )
    ProjectSeries.objects.create(
        project=project,
        title="Huddles held",
        csv_text="date,value\n2025-01-06,3\n",
        options={"chart": "xmr"},
        saved_by=manager,
        saved_at=now,
    )
    _coproduction_rows(project, manager, now)


def _collaborative_rows(world, now) -> None:
    """A collaborative's template driver diagram and learning-set note (issue 14, items 5 and 6)."""
    idea = ChangeIdea.objects.create(
        collaborative=world.collaborative,
        title="Protected mealtimes",
        description="Staff eat with patients",
        source="Learning set 2",
        driver="Relationships",
        created_at=now,
    )
    ChangeIdeaVersion.objects.create(
        idea=idea,
        number=1,
        title=idea.title,
        description=idea.description,
        source=idea.source,
        driver=idea.driver,
        saved_by=world.users["collaborative_lead"],
        saved_at=now,
    )
    TemplateDiagramVersion.objects.create(
        collaborative=world.collaborative,
        number=1,
        content={"primary": []},
        outline="A driver",
        saved_by=world.users["collaborative_lead"],
        saved_at=now,
    )
    LearningSetNote.objects.create(
        collaborative=world.collaborative,
        held_on=now.date(),
        label="Learning set 1",
        notes="Shared stories",
        recorded_by=world.users["collaborative_lead"],
        recorded_at=now,
    )


def _coproduction_rows(project, manager, now) -> None:
    """A project's co-production log entry, its credit and a comment (issue 15 item 5)."""
    expert = TeamMember.objects.create(
        project=project, name="Alex Rivers", team_role="expert_by_experience", joined_on=now.date()
    )
    entry = CoproductionEntry.objects.create(
        project=project,
        happened_on=now.date(),
        how="co_designed",
        decision="The huddle card",
        what_changed="Reworded",
        recognition="paid",
        recorded_by=manager,
        recorded_at=now,
    )
    CoproductionCredit.objects.create(entry=entry, member=expert)
    ProjectComment.objects.create(project=project, text="Good start", written_by=manager, written_at=now)


@pytest.fixture
def one_of_each(world):
    """A row in every append-only table (through the services where that is short, else inserted)."""
    ward, patient, user = world.wards["a1"], world.patients["a1"], world.users["ward_staff"]
    manager = world.users["ward_manager"]
    now = timezone.now().replace(microsecond=0)
    member = StaffMember.objects.create(
        provider=ward.provider, given_name="Nia", family_name="Nurse", job_title="Staff nurse"
    )
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=user,
        interventions=typical_interventions(),  # prone and rapid tranquillisation: two flags
        staff=two_staff(member),
        source_system="Datix",
        source_id="INC-1",
        **complete_content(),
    )
    StaffStatement.objects.create(
        incident=incident, staff_member=member, author=user, name="Nia Nurse", text="I held", recorded_at=now
    )
    PhysicalHealthObservation.objects.create(
        incident=incident, observed_at=now, recorded_by=user, recorded_at=now, refused=True, refused_note="No"
    )
    episode = Episode.objects.create(
        provider=ward.provider, ward=ward, patient=patient, kind="seclusion", created_at=now, created_by=user
    )
    EpisodeVersion.objects.create(
        episode=episode,
        number=1,
        recorded_at=now,
        recorded_by=user,
        started_at=now - dt.timedelta(hours=1),
        place="Seclusion room",
        authorised_by_name="Dr Dev",
        reason="Harm to others",
        end_plan="When calm",
    )
    Review.objects.create(
        episode=episode,
        kind="medical",
        at=now,
        reviewer_name="Dr Dev",
        outcome="Continue",
        decision="continue",
        recorded_at=now,
        recorded_by=user,
    )
    Observation.objects.create(
        episode=episode, at=now, observer_name="Nia", note="Asleep", recorded_at=now, recorded_by=user
    )
    # Oversight (issue 17).
    review = IndependentReview.objects.create(
        provider_id=episode.provider_id,
        patient_id=episode.patient_id,
        episode=episode,
        kind="independent_segregation",
        held_on=now.date(),
        person_views="Views",
        family_views="Views",
        findings="Findings",
        recorded_at=now,
        recorded_by=user,
    )
    PanelMember.objects.create(independent_review=review, name="Dr Ivy", role="independent_clinician")
    recommendation = Recommendation.objects.create(
        independent_review=review, number=1, text="Do", owner="provider", due_on=now.date()
    )
    RecommendationUpdate.objects.create(
        recommendation=recommendation, number=1, status="open", recorded_at=now, recorded_by=user
    )
    plan = EndPlanVersion.objects.create(
        episode=episode, number=1, aim="Aim", recorded_at=now, recorded_by=user
    )
    EndPlanStep.objects.create(plan=plan, number=1, text="Step", planned_on=now.date())
    grant = NamedAccessGrant.objects.create(
        user=user,
        patient_id=episode.patient_id,
        provider_id=episode.provider_id,
        lawful_basis="care_commissioning",
        basis_detail="Why",
        starts_at=now,
        ends_on=now.date(),
        granted_by=user,
    )
    NamedAccessRevocation.objects.create(grant=grant, revoked_at=now, revoked_by=user, reason="Why")
    IndependentReviewText.objects.create(
        independent_review=review,
        number=2,
        person_views="Views",
        family_views="Views",
        findings="Found",
        change_reason="Typo",
        recorded_at=now,
        recorded_by=user,
    )
    CommissionerVisit.objects.create(
        provider_id=episode.provider_id,
        patient_id=episode.patient_id,
        grant=grant,
        visited_on=now.date(),
        notes="Seen",
        recorded_at=now,
        recorded_by=user,
    )
    DeFactoDecision.objects.create(
        provider_id=episode.provider_id,
        patient_id=episode.patient_id,
        flags="Flag",
        outcome="keep_under_review",
        reasons="Why",
        decided_at=now,
        decided_by=user,
    )
    event = WardEvent.objects.create(
        ward=ward,
        happened_on=now.date(),
        label="Safewards",
        kind="other",
        recorded_by=manager,
        recorded_at=now,
    )
    ChartRebase.objects.create(
        ward=ward, measure_slug="x", rebase_on=now.date(), reason="Why", decided_by=manager, decided_at=now
    )
    ImprovementAim.objects.create(
        provider=ward.provider,
        measure_slug="x",
        statement="Fewer",
        baseline_start=dt.date(2025, 1, 1),
        baseline_end=dt.date(2025, 12, 31),
        reduction_percent=25,
        aim_date=dt.date(2027, 1, 1),
        recorded_by=manager,
        recorded_at=now,
    )
    Withdrawal.objects.create(event=event, reason="Mistake", withdrawn_by=manager, withdrawn_at=now)
    closing = IncidentStatusChange.objects.create(
        incident=incident, at=now, by=manager, from_status="reviewed", to_status="closed"
    )
    IncidentClosure.objects.create(
        incident=incident,
        status_change=closing,
        closed_at=now,
        closed_by=manager,
        harm="None",
        proportionate=True,
        least_restrictive=True,
        learning="Sooner",
    )
    duplicate = incident_record(ward=ward, patient=patient, by=user)
    IncidentVoid.objects.create(incident=duplicate, kind="void", reason="A test record", at=now, by=manager)
    WardEventRedaction.objects.create(
        event=event, label="Safewards", reason="Named", redacted_by=manager, redacted_at=now
    )
    ReasonRedaction.objects.create(
        withdrawal=Withdrawal.objects.get(event=event),
        text="Withdrawn",
        reason="Named",
        redacted_by=manager,
        redacted_at=now,
    )
    project = QiProject.objects.create(
        provider=ward.provider,
        title="Fewer restraints",
        problem="Restraint rose",
        aim_measure_slug="x",
        baseline_start=dt.date(2025, 1, 1),
        baseline_end=dt.date(2025, 3, 31),
        baseline_value=3.0,
        aim_change_percent=25,
        aim_by=dt.date(2027, 1, 1),
        starts_on=dt.date(2025, 4, 1),
        created_by=manager,
        created_at=now,
        updated_at=now,
    )
    ProgressScore.objects.create(
        project=project,
        tenths=20,
        scored_on=now.date(),
        note="Baseline",
        recorded_by=manager,
        recorded_at=now,
    )
    _project_rows(project, manager, now)
    _collaborative_rows(world, now)
    audit_record(actor=user, action=AuditAction.VIEW, record=incident)
    # The Use of Force Act's duties and training (issue 16).
    today = now.date()
    provider = ward.provider
    ResponsiblePersonAppointment.objects.create(
        provider=provider,
        name="Bea Jones",
        job_title="Chief Nurse",
        appointed_on=today,
        recorded_at=now,
        recorded_by=manager,
    )
    Delegation.objects.create(
        provider=provider,
        delegate_name="Sam",
        delegate_job_title="Head of Safety",
        functions="Records",
        starts_on=today,
        recorded_at=now,
        recorded_by=manager,
    )
    PolicyVersion.objects.create(
        provider=provider,
        title="Use of force",
        version_label="1",
        document_url="https://example.nhs.uk/p",
        approved_on=today,
        review_due_on=today + dt.timedelta(days=365),
        consulted="Patients' council",
        patients_consulted=True,
        carers_consulted=True,
        recorded_at=now,
        recorded_by=manager,
    )
    course = TrainingCourse.objects.create(provider=provider, code="PMVA", title="PMVA", refresher_months=12)
    TrainingCompletion.objects.create(staff_member=member, course=course, completed_on=today, recorded_at=now)
    investigation = Investigation.objects.create(
        provider=provider, incident=incident, reason="serious_injury", opened_at=now, due_on=today
    )
    InvestigationVersion.objects.create(
        investigation=investigation,
        number=1,
        lead_name="Dr Lead",
        lead_job_title="Consultant",
        learning_response="psii",
        family_involvement="involved",
        due_on=today,
        recorded_at=now,
        recorded_by=manager,
    )
    ProneReviewer.objects.create(
        incident=incident, reviewer_name="Jo", reviewer_job_title="Matron", named_at=now, named_by=manager
    )
    ProneReview.objects.create(
        incident=incident,
        why_prone="Fell face down",
        minutes_prone=5,
        avoidable="no",
        learning="Turn sooner",
        reviewer_name="Jo",
        completed_at=now,
        completed_by=manager,
    )
    # People at the centre (issue 15).
    Debrief.objects.create(
        incident=incident, kind="patient", recorded_at=now, recorded_by=user, offered_at=now
    )
    SupportPlanVersion.objects.create(
        patient=patient, number=1, recorded_at=now, recorded_by=user, review_due=today, what_matters="Music"
    )
    SupportPlanReviewRequest.objects.create(
        patient=patient, requested_at=now, requested_by=user, source="Debrief", wanted_changes="Ask first"
    )
    spell = HospitalSpell.objects.create(patient=patient, provider=provider, admitted_at=now)
    RightsInformation.objects.create(
        patient=patient,
        spell=spell,
        recorded_at=now,
        recorded_by=user,
        occasion="admission",
        recipient="patient",
        outcome="refused",
        given_at=now,
        reason="Too distressed today",
    )
    VoiceCheck.objects.create(
        ward=ward, answered_at=now, entered_by=user, felt_safe="always", respected="always"
    )
    # Measures entered or imported (issue 20).
    MeasureValue.objects.create(
        ward=ward,
        measure_slug="staff-sickness-rate",
        definition_version=1,
        period_start=today.replace(day=1),
        numerator=12,
        denominator=400,
        version=1,
        route="entered",
        recorded_by=manager,
        recorded_at=now,
    )
    # The governed catalogue and the board's chosen measures (issue 20 items 3 and 5).
    gov = world.users["provider_governance"]
    proposal = DefinitionProposal.objects.create(
        slug="falls-per-1000-obd",
        version=1,
        definition={"name": "Falls"},
        change_summary="A new balancing measure",
        proposed_by=gov,
        proposed_at=now,
    )
    DefinitionReview.objects.create(
        proposal=proposal,
        slug=proposal.slug,
        version=1,
        author=gov,
        decision="rejected",
        reason="Not yet",
        reviewed_by=manager,
        reviewed_at=now,
    )
    BoardMeasureSet.objects.create(
        provider=ward.provider, slugs=["incidents"], version=1, chosen_by=gov, chosen_at=now
    )
    return incident


def _table(model: type[models.Model]) -> str:
    return model._meta.db_table


# A valid new value for tables whose only text is a short code (so no other constraint can refuse it).
TAMPER_OVERRIDES = {
    "force_interventionrecord": ("type_code", "'04'"),
    "segregation_episode": ("kind", "'long_term_segregation'"),
    "force_incidentflag": ("kind", "'tampered'"),
    "act_investigation": ("reason", "'tampered'"),
    "measures_boardmeasureset": ("slugs", "'[\"tampered\"]'"),
    # Two keys only: any write at all must be refused, so "changing" one to itself is enough.
    "improvement_coproductioncredit": ("member_id", "member_id"),
}


def _tamper(model: type[models.Model]) -> tuple[str, str]:
    """A column to change and its new value as SQL: a text column long enough to hold 'tampered', so
    only a trigger can refuse the write."""
    if _table(model) in TAMPER_OVERRIDES:
        return TAMPER_OVERRIDES[_table(model)]
    fields = model._meta.concrete_fields
    texts = [f for f in fields if isinstance(f, models.TextField)]
    texts += [f for f in fields if isinstance(f, models.CharField) and f.max_length >= 10 and not f.choices]
    if texts:
        return texts[0].column, "'tampered'"
    raise AssertionError(f"{model.__name__} has no text column to tamper with: add it to TAMPER_OVERRIDES")


def _row(model: type[models.Model], pk: int) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{_table(model)}" WHERE id = %s', [pk])
        return cursor.fetchone()


def _columns(model: type[models.Model], *, without_id: bool = False, tamper: bool = False) -> tuple[str, str]:
    """(the column list, the SELECT list copying a row, with the tamper column changed if asked)."""
    names = [f.column for f in model._meta.concrete_fields if not (without_id and f.primary_key)]
    target, value = _tamper(model)
    select = [(value if tamper and name == target else f'"{name}"') for name in names]
    return ", ".join(f'"{n}"' for n in names), ", ".join(select)


def _attacks(model: type[models.Model], pk: int) -> dict[str, str]:
    table, (column, value) = _table(model), _tamper(model)
    names, copy = _columns(model, tamper=True)
    attacks = {
        "update": f'UPDATE "{table}" SET "{column}" = {value} WHERE id = {pk}',
        "delete": f'DELETE FROM "{table}" WHERE id = {pk}',
        "upsert": f'INSERT INTO "{table}" ({names}) SELECT {copy} FROM "{table}" WHERE id = {pk} '
        f'ON CONFLICT (id) DO UPDATE SET "{column}" = EXCLUDED."{column}"',
    }
    if POSTGRES:
        attacks["truncate"] = f'TRUNCATE "{table}" CASCADE'
        attacks["merge"] = (
            f'MERGE INTO "{table}" AS t USING (SELECT id FROM "{table}" WHERE id = {pk}) AS s ON t.id = s.id '
            f'WHEN MATCHED THEN UPDATE SET "{column}" = {value}'
        )
        attacks["merge delete"] = (
            f'MERGE INTO "{table}" AS t USING (SELECT id FROM "{table}" WHERE id = {pk}) AS s ON t.id = s.id '
            f"WHEN MATCHED THEN DELETE"
        )
    if SQLITE:
        attacks["insert or replace"] = (
            f'INSERT OR REPLACE INTO "{table}" ({names}) SELECT {copy} FROM "{table}" WHERE id = {pk}'
        )
        attacks["replace into"] = (
            f'REPLACE INTO "{table}" ({names}) SELECT {copy} FROM "{table}" WHERE id = {pk}'
        )
        attacks["update or replace"] = f'UPDATE OR REPLACE "{table}" SET "{column}" = {value} WHERE id = {pk}'
        attacks["upsert on every key"] = (
            f'INSERT INTO "{table}" ({names}) SELECT {copy} FROM "{table}" WHERE id = {pk} '
            f'ON CONFLICT DO UPDATE SET "{column}" = EXCLUDED."{column}"'
        )
    return attacks


ATTACKS = ["update", "delete", "upsert"] + (
    ["truncate", "merge", "merge delete"]
    if POSTGRES
    else ["insert or replace", "replace into", "update or replace", "upsert on every key"]
)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("model", APPEND_ONLY_MODELS, ids=lambda m: m._meta.label)
def test_append_only_table_refuses_the_attack(one_of_each, model, attack):
    pk = model.objects.order_by("id").values_list("id", flat=True).first()
    assert pk is not None, f"one_of_each makes no {model.__name__}: add one"
    before = _row(model, pk)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        if POSTGRES:
            # The test's own transaction has deferred foreign-key checks pending, which would refuse a
            # TRUNCATE before the trigger could: check them now, as a committed database would have.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_attacks(model, pk)[attack])
    assert _row(model, pk) == before


@pytest.mark.skipif(not SQLITE, reason="REPLACE is SQLite's")
@pytest.mark.parametrize("model", APPEND_ONLY_MODELS, ids=lambda m: m._meta.label)
def test_replace_over_another_unique_key_leaves_the_row_as_it_was(one_of_each, model):
    """A REPLACE with a new id that clashes on another unique key (an incident's source id, a version's
    number, a flag's kind, a withdrawal's item) would delete the old row: refused. Where the table has
    no other unique key it is a plain insert, which append-only allows."""
    pk = model.objects.order_by("id").values_list("id", flat=True).first()
    before = _row(model, pk)
    names, copy = _columns(model, without_id=True, tamper=True)
    table = _table(model)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'INSERT OR REPLACE INTO "{table}" ({names}) SELECT {copy} FROM "{table}" WHERE id = {pk}'
            )
    except DatabaseError as refused:
        assert "append-only" in str(refused)
    assert _row(model, pk) == before


@pytest.mark.parametrize("model", APPEND_ONLY_MODELS, ids=lambda m: m._meta.label)
def test_append_only_table_has_every_trigger(db, model):
    table = _table(model)
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        found = {row[0] for row in cursor.fetchall()}
    assert set(trigger_names(table, connection.vendor)) <= found


@pytest.mark.skipif(not SQLITE, reason="an SQLite connection setting")
def test_every_sqlite_connection_fires_delete_triggers_on_replace(db):
    """REPLACE is refused because this is on for every connection RRP opens (settings' init_command)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone()[0] == 1
