"""Code lists for seclusion and long-term segregation (MHA Code of Practice 2015, chapter 26).

Each kind of episode is also an MHSDS restrictive intervention type (RestrictiveIntType, table
MHS515): seclusion is 05 and segregation is 06, the same codes as `force.codes.InterventionType`,
so measures and extracts count an episode exactly as they count a recorded intervention.
"""

from __future__ import annotations

from django.db import models

from rrp.people.codes import StaffGroup


class EpisodeKind(models.TextChoices):
    SECLUSION = "seclusion", "Seclusion"
    LONG_TERM_SEGREGATION = "long_term_segregation", "Long-term segregation"


# MHSDS RestrictiveIntType for each kind of episode (force.codes.InterventionType.SECLUSION/SEGREGATION).
MHSDS_INTERVENTION_TYPE: dict[str, str] = {
    EpisodeKind.SECLUSION: "05",
    EpisodeKind.LONG_TERM_SEGREGATION: "06",
}


class ReviewKind(models.TextChoices):
    """The reviews the Code of Practice asks for (chapter 26; intervals in ReviewRules)."""

    MEDICAL = "medical", "Medical review"
    NURSING = "nursing", "Nursing review (two registered nurses)"
    MDT = "mdt", "Multidisciplinary review"
    INDEPENDENT_MDT = "independent_mdt", "Independent multidisciplinary review"
    APPROVED_CLINICIAN = "approved_clinician", "Approved clinician review"
    EXTERNAL_INDEPENDENT = "external_independent", "External independent review"
    ICETR = "icetr", "Independent Care (Education) and Treatment Review"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue"
    END = "end", "End"


SECLUSION_REVIEWS = (ReviewKind.MEDICAL, ReviewKind.NURSING, ReviewKind.MDT, ReviewKind.INDEPENDENT_MDT)
LTS_REVIEWS = (
    ReviewKind.APPROVED_CLINICIAN,
    ReviewKind.MDT,
    ReviewKind.EXTERNAL_INDEPENDENT,
    ReviewKind.ICETR,
)
REVIEWS_FOR_KIND: dict[str, tuple[str, ...]] = {
    EpisodeKind.SECLUSION: SECLUSION_REVIEWS,
    EpisodeKind.LONG_TERM_SEGREGATION: LTS_REVIEWS,
}

CLINICAL_GROUPS = frozenset({StaffGroup.MEDICAL, StaffGroup.NURSING, StaffGroup.AHP, StaffGroup.PSYCHOLOGY})

# Who may authorise seclusion or segregation (Code of Practice ch. 26: a psychiatrist, an approved clinician
# who is not a doctor, or the professionally qualified person in charge of the ward): read from the
# roster's staff groups, since it does not record who is an approved clinician, as the professionally
# qualified groups (medical, registered nursing, allied health professionals, psychology). Healthcare
# assistants and support workers (the "support" group), security and "other" are not offered and are
# refused by the service.
AUTHORISER_STAFF_GROUPS = CLINICAL_GROUPS

# Which staff groups may carry out each review. None: the reviewer may be someone from outside the
# provider, named in writing (external reviews and IC(E)TR panels).
REVIEWER_GROUPS: dict[str, frozenset[str] | None] = {
    ReviewKind.MEDICAL: frozenset({StaffGroup.MEDICAL}),
    ReviewKind.NURSING: frozenset({StaffGroup.NURSING}),
    ReviewKind.MDT: CLINICAL_GROUPS,
    ReviewKind.INDEPENDENT_MDT: CLINICAL_GROUPS,
    # An approved clinician may be a doctor, nurse, psychologist, OT or social worker (MHA s145).
    ReviewKind.APPROVED_CLINICIAN: CLINICAL_GROUPS,
    ReviewKind.EXTERNAL_INDEPENDENT: None,
    ReviewKind.ICETR: None,
}


def due_label(kind: str) -> str:
    """What is due, in words: a review kind's label, or "Observation"."""
    return "Observation" if kind == "observation" else ReviewKind(kind).label


# Each review rule (segregation.schedules.Rules / models.ReviewRules), in words, for the rules page.
RULE_LABELS: dict[str, str] = {
    "seclusion_first_medical_minutes": "Seclusion not started by a doctor: medical review within (minutes)",
    "seclusion_nursing_minutes": "Nursing review by two registered nurses, every (minutes)",
    "seclusion_medical_minutes": "Medical review until the first multidisciplinary review, every (minutes)",
    "seclusion_medical_after_mdt_minutes": "Medical review after the first multidisciplinary review, every (minutes)",
    "seclusion_mdt_minutes": "Multidisciplinary review of seclusion, every (minutes)",
    "seclusion_observation_minutes": "Observation in seclusion, every (minutes)",
    "independent_mdt_continuous_minutes": "Independent multidisciplinary review after seclusion in a row of (minutes)",
    "independent_mdt_total_minutes": "Independent multidisciplinary review after seclusion in total of (minutes)",
    "independent_mdt_window_minutes": "... in total within any period of (minutes)",
    "independent_mdt_within_minutes": "Independent multidisciplinary review due this long after it is triggered (minutes)",
    "lts_approved_clinician_minutes": "Long-term segregation: approved clinician review, every (minutes)",
    "lts_mdt_minutes": "Long-term segregation: multidisciplinary review, every (minutes)",
    "lts_external_minutes": "Long-term segregation: external independent review, every (minutes)",
    "lts_icetr_minutes": "Long-term segregation, learning disability or autism: IC(E)TR, every (minutes)",
}


# --- Oversight (issue 17): independent reviews of segregation and their recommendations -------------


class OversightReviewKind(models.TextChoices):
    """Reviews by people from outside the ward whose recommendations are tracked as actions."""

    INDEPENDENT_SEGREGATION = "independent_segregation", "Independent review of segregation"
    # NHS England's Care (Education) and Treatment Reviews, for everyone in hospital with a learning
    # disability or autism (the schedule is in `segregation.cetr`): a CTR for an adult, a CETR for a
    # child or young person.
    CTR = "ctr", "Care and Treatment Review (CTR)"
    CETR = "cetr", "Care, Education and Treatment Review (CETR)"


#: The kinds that are C(E)TRs.
CETR_KINDS = (OversightReviewKind.CTR, OversightReviewKind.CETR)


class PanelRole(models.TextChoices):
    """Who sat on an independent review panel. CQC's *Out of sight – who cares?* asks for an independent
    clinician and an expert by experience on every panel; `oversight.PANEL_REQUIRED` checks both."""

    CHAIR = "chair", "Chair"
    INDEPENDENT_CLINICIAN = "independent_clinician", "Independent clinician"
    EXPERT_BY_EXPERIENCE = "expert_by_experience", "Expert by experience"
    COMMISSIONER = "commissioner", "Commissioner's representative"
    ADVOCATE = "advocate", "Advocate"
    OTHER = "other", "Other"


class ActionOwner(models.TextChoices):
    """Who must act on a recommendation."""

    PROVIDER = "provider", "Provider"
    COMMISSIONER = "commissioner", "Commissioner"


class ActionStatus(models.TextChoices):
    """Where a recommendation stands. "Not yet assessed" until someone records achieved, partly achieved
    or not achieved, each with its evidence; it is overdue while not achieved after its due date."""

    OPEN = "open", "Not yet assessed"
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class LawfulBasis(models.TextChoices):
    """The lawful basis on which a commissioner's case manager sees a person by name (UK GDPR; the
    common law duty of confidentiality is met by the same purpose). Recorded with each grant, with the
    detail of why; the Caldicott Guardian's own register stays the authority."""

    CARE_COMMISSIONING = (
        "care_commissioning",
        "Commissioning and case management of the person's care: UK GDPR Articles 6(1)(e) and 9(2)(h)",
    )
    CONSENT = "consent", "The person's consent to their case manager seeing their record"
    BEST_INTERESTS = (
        "best_interests",
        "A best-interests decision (Mental Capacity Act 2005) that their case manager should see it",
    )


#: The longest a named-access grant may run before it must be granted again.
NAMED_ACCESS_MAX_DAYS = 183


class DeFactoOutcome(models.TextChoices):
    """What was decided about a person flagged as possibly segregated in fact."""

    LTS_RECORDED = "lts_recorded", "They are in long-term segregation: an episode is recorded"
    NOT_SEGREGATION = "not_segregation", "Not segregation"
    KEEP_UNDER_REVIEW = "keep_under_review", "Keep under review"
