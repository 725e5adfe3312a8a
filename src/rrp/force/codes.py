"""Code lists for use-of-force records.

MHSDS codes are stored as the national code so that an MHSDS extract needs no translation; the
labels are copied from NHS Digital's own reference data (see docs/use-of-force.md and
shared domain notes §3.3-3.4). Codes 02 and 03 are not valid restrictive intervention types in
current submissions and are refused, not mapped.
"""

from __future__ import annotations

from django.db import models


class InterventionType(models.TextChoices):
    """MHSDS RESTRICTIVE INTERVENTION TYPE (RestrictiveIntType, table MHS515). Valid: 01, 04-17."""

    PRONE = "01", "Physical restraint - Prone"
    MECHANICAL = "04", "Mechanical restraint"
    SECLUSION = "05", "Seclusion"
    SEGREGATION = "06", "Segregation"
    STANDING = "07", "Physical restraint - Standing"
    RESTRICTIVE_ESCORT = "08", "Physical restraint - Restrictive escort"
    SUPINE = "09", "Physical restraint - Supine"
    SIDE = "10", "Physical restraint - Side"
    SEATED = "11", "Physical restraint - Seated"
    KNEELING = "12", "Physical restraint - Kneeling"
    PHYSICAL_OTHER = "13", "Physical restraint - Other (not listed)"
    RAPID_TRANQUILLISATION = "14", "Chemical restraint - Injection (Rapid Tranquillisation)"
    INJECTION_NON_RT = "15", "Chemical restraint - Injection (Non Rapid Tranquillisation)"
    ORAL = "16", "Chemical restraint - Oral"
    CHEMICAL_OTHER = "17", "Chemical restraint - Other (not listed)"


# Codes that once existed but must never be submitted now (historic meaning unverified).
RETIRED_INTERVENTION_TYPES = frozenset({"02", "03"})

#: Seclusion and segregation are recorded as an episode (the segregation app) linked to the incident, not
#: as a type of force on it: one event, one record, counted once (issue 13, decision 0020).
EPISODE_TYPES = frozenset({"05", "06"})


def episode_type_message(type_code: str) -> str:
    """What the pages, the API and the import say to a new intervention of type 05 or 06."""
    what = "Seclusion" if type_code == "05" else "Segregation"
    return (
        f"{what} ({type_code}) is recorded as a {what.lower()} episode, not as a type of force: record an "
        f"episode linked to this incident instead (the seclusion and segregation pages, or POST "
        f"/api/segregation/episodes with its incident_id)"
    )


class ForceCategory(models.TextChoices):
    """The kinds of force in the Use of Force Act 2018 s1 (isolation split into its two forms)."""

    PHYSICAL = "physical", "Physical restraint"
    MECHANICAL = "mechanical", "Mechanical restraint"
    CHEMICAL = "chemical", "Chemical restraint"
    SECLUSION = "seclusion", "Seclusion"
    SEGREGATION = "segregation", "Segregation"


T = InterventionType
INTERVENTION_CATEGORY: dict[str, ForceCategory] = {
    **dict.fromkeys(
        [T.PRONE, T.STANDING, T.RESTRICTIVE_ESCORT, T.SUPINE, T.SIDE, T.SEATED, T.KNEELING, T.PHYSICAL_OTHER],
        ForceCategory.PHYSICAL,
    ),
    T.MECHANICAL: ForceCategory.MECHANICAL,
    **dict.fromkeys(
        [T.RAPID_TRANQUILLISATION, T.INJECTION_NON_RT, T.ORAL, T.CHEMICAL_OTHER], ForceCategory.CHEMICAL
    ),
    T.SECLUSION: ForceCategory.SECLUSION,
    T.SEGREGATION: ForceCategory.SEGREGATION,
}


#: Restraint in the Use of Force Act's sense: physical, mechanical or chemical (not seclusion or
#: segregation, which are counted on their own).
RESTRAINT_TYPES: tuple[str, ...] = tuple(
    t.value for t in InterventionType if t not in (T.SECLUSION, T.SEGREGATION)
)


def category_of(type_code: str) -> ForceCategory:
    """The Act's category for an MHSDS intervention type code (KeyError for an invalid code)."""
    return INTERVENTION_CATEGORY[type_code]


class InterventionReason(models.TextChoices):
    """MHSDS RESTRICTIVE INTERVENTION REASON (RestrictiveIntReason, table MHS505). Valid: 10-19, 98, 99."""

    VIOLENCE_TO_OTHERS = "10", "Prevent a patient being violent to others"
    SELF_HARM_INTENTIONAL = "11", "Prevent a patient causing serious intentional harm to themselves"
    SELF_INJURY_ACCIDENTAL = (
        "12",
        "Prevent a patient causing serious physical injury to themselves by accident",
    )
    ADMINISTER_TREATMENT = "13", "Lawfully administer medicines or other medical treatment"
    PERSONAL_CARE = "14", "Facilitate personal care"
    NG_FEEDING = "15", "Facilitate nasogastric (NG) feeding"
    OVER_ACTIVITY = "16", "Prevent the patient exhibiting extreme and prolonged over-activity"
    DANGEROUS_BEHAVIOUR = "17", "Prevent the patient exhibiting otherwise dangerous behaviour"
    SEARCH = "18", "Undertake a search of the patient's clothing or property to ensure the safety of others"
    ABSCONDING = "19", "Prevent the patient absconding from lawful custody"
    OTHER = "98", "Other (not listed)"
    NOT_KNOWN = "99", "Not Known (Not Recorded)"


# Reasons whose code alone does not say why, so a written reason is needed for s6(5)(a).
REASONS_NEEDING_TEXT = frozenset({InterventionReason.OTHER, InterventionReason.NOT_KNOWN})


class DeEscalation(models.TextChoices):
    """Efforts made to avoid the need for force (s6(5)(o)): a checklist, with free text beside it."""

    VERBAL = "verbal", "Talking with the patient calmly (verbal de-escalation)"
    LISTENING = "listening", "Listening to and acknowledging the patient's concerns"
    CHOICES = "choices", "Offering choices or negotiating"
    MEETING_NEED = "meeting_need", "Meeting an unmet need (food, drink, pain, toilet, phone call)"
    DISTRACTION = "distraction", "Distraction or diversion"
    REDUCED_STIMULATION = "reduced_stimulation", "Reducing noise or people nearby, offering a quiet space"
    SENSORY = "sensory", "Sensory or comfort items"
    CHANGE_OF_STAFF = "change_of_staff", "A different member of staff approaching"
    TRUSTED_PERSON = "trusted_person", "Involving a trusted person, family or carer"
    ORAL_PRN_OFFERED = "oral_prn_offered", "Oral medication offered (PRN) and accepted or declined"
    POSITIVE_BEHAVIOUR_PLAN = "pbs_plan", "Following the patient's positive behaviour support plan"
    ADVANCE_STATEMENT = "advance_statement", "Following the patient's advance statement or stated wishes"
    TIME_AND_SPACE = "time_and_space", "Giving time and space"


class StaffPart(models.TextChoices):
    """The part a member of staff took in the use of force (s6(5)(h) names them; this says what they did)."""

    LEAD = "lead", "Led the intervention (head and communication)"
    HEAD = "head", "Supported the head"
    LEFT_ARM = "left_arm", "Left arm"
    RIGHT_ARM = "right_arm", "Right arm"
    LEGS = "legs", "Legs"
    OBSERVER = "observer", "Observed and monitored the patient's physical health"
    ADMINISTERED_MEDICATION = "medication", "Prescribed or administered medication"
    SECLUSION = "seclusion", "Escorted to or managed seclusion or segregation"
    OTHER = "other", "Other part"


class NonStaffPersonType(models.TextChoices):
    """A person involved who is not on the unit's staff (s6(5)(i))."""

    POLICE = "police", "Police"
    SECURITY = "security", "Security staff not employed on the unit"
    OTHER = "other", "Other person"


class IncidentStatus(models.TextChoices):
    """Where an incident is in its review. Derived from its latest IncidentStatusChange row."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    SENT_BACK = "sent_back", "Sent back for changes"
    REVIEWED = "reviewed", "Reviewed"
    CLOSED = "closed", "Closed"


#: Records still being written: a draft, or one sent back for changes.
OPEN_STATUSES: tuple[str, ...] = (IncidentStatus.DRAFT, IncidentStatus.SENT_BACK)


class CqcReason(models.TextChoices):
    """Why a CQC notification (Registration Regulations 2009, regulation 18) may be needed."""

    DEATH = "death", "The patient died"
    SERIOUS_INJURY = "serious_injury", "The patient was seriously injured"
    POLICE = "police", "The police were involved"
    ABUSE_ALLEGATION = "abuse_allegation", "An allegation of abuse was made"


class CqcTaskStatus(models.TextChoices):
    OPEN = "open", "To do: notify without delay"
    NOTIFIED = "notified", "CQC notified"
    NOT_REQUIRED = "not_required", "Not required (e.g. already reported to NHS England)"


class VoidKind(models.TextChoices):
    """Why an incident no longer counts (issue 13): it is kept, struck through, out of measures and exports."""

    VOID = "void", "Voided: recorded in error (a test, or the wrong patient)"
    DUPLICATE = "duplicate", "A duplicate of another incident"


class IncidentFlagKind(models.TextChoices):
    PRONE_REVIEW = "prone_review", "Prone restraint: review required"
    RT_MONITORING = "rt_monitoring", "Rapid tranquillisation: physical health observations at least hourly"
    LONG_DURATION = (
        "long_duration",
        "A restraint longer than the usual limit was confirmed: review its duration",
    )
    LATE_RECORD = "late_record", "Recorded late: the record was first made long after the incident"


class DebriefKind(models.TextChoices):
    """Who a post-incident debrief was with (NICE NG10, QS154 statement 5)."""

    PATIENT = "patient", "The patient"
    CARER = "carer", "A carer or family member"
    STAFF = "staff", "Staff"
