"""Code lists for the patient record, from the NHS Data Dictionary and MHSDS.

Codes are stored as the national code so that extracts need no translation; labels are for people.
"""

from django.db import models


class EthnicCategory(models.TextChoices):
    """NHS Data Dictionary ETHNIC CATEGORY (2001 census classification), codes A-Z and 99."""

    A = "A", "White - British"
    B = "B", "White - Irish"
    C = "C", "White - Any other White background"
    D = "D", "Mixed - White and Black Caribbean"
    E = "E", "Mixed - White and Black African"
    F = "F", "Mixed - White and Asian"
    G = "G", "Mixed - Any other mixed background"
    H = "H", "Asian or Asian British - Indian"
    J = "J", "Asian or Asian British - Pakistani"
    K = "K", "Asian or Asian British - Bangladeshi"
    L = "L", "Asian or Asian British - Any other Asian background"
    M = "M", "Black or Black British - Caribbean"
    N = "N", "Black or Black British - African"
    P = "P", "Black or Black British - Any other Black background"
    R = "R", "Other ethnic groups - Chinese"
    S = "S", "Other ethnic groups - Any other ethnic group"
    Z = "Z", "Not stated"
    NOT_KNOWN = "99", "Not known"


# The five broad groups used in national publications (Mental Health Bulletin, MHA statistics).
ETHNIC_GROUPS: dict[str, str] = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"),
    "Z": "Not stated or not known",
    "99": "Not stated or not known",
}


class Sex(models.TextChoices):
    """MHSDS PERSON STATED GENDER CODE / person's sex as recorded: 1, 2, 9, X."""

    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate (unable to be classified as male or female)"
    NOT_KNOWN = "X", "Not known"


class GenderIdentity(models.TextChoices):
    """NHS Data Dictionary GENDER IDENTITY CODE."""

    MALE = "1", "Male (including trans man)"
    FEMALE = "2", "Female (including trans woman)"
    NON_BINARY = "3", "Non-binary"
    OTHER = "4", "Other (not listed)"
    NOT_KNOWN = "X", "Not known"
    NOT_STATED = "Z", "Not stated (person asked but declined to provide a response)"


class SexualOrientation(models.TextChoices):
    """NHS Data Dictionary SEXUAL ORIENTATION CODE."""

    HETEROSEXUAL = "1", "Heterosexual or straight"
    GAY_LESBIAN = "2", "Gay or lesbian"
    BISEXUAL = "3", "Bisexual"
    OTHER = "4", "Other sexual orientation not listed"
    UNSURE = "U", "Person asked and does not know or is not sure"
    NOT_STATED = "Z", "Not stated (person asked but declined to provide a response)"
    NOT_KNOWN = "9", "Not known (not recorded)"


class Religion(models.TextChoices):
    """Religion or belief, in the census's broad groups."""

    NONE = "none", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion or belief"
    NOT_STATED = "not_stated", "Not stated"
    NOT_KNOWN = "not_known", "Not known"


class YesNoUnknown(models.TextChoices):
    YES = "Y", "Yes"
    NO = "N", "No"
    UNKNOWN = "U", "Not known"


class Pregnancy(models.TextChoices):
    PREGNANT = "pregnant", "Pregnant"
    POSTNATAL = "postnatal", "Given birth in the last 26 weeks"
    NO = "no", "Not pregnant"
    NOT_APPLICABLE = "na", "Not applicable"
    UNKNOWN = "unknown", "Not known"


class LegalStatus(models.TextChoices):
    """MHSDS MENTAL HEALTH ACT LEGAL STATUS CLASSIFICATION CODE (inpatient codes).

    Codes as used in MHSDS submissions; to be checked against the NHS Data Dictionary before go-live
    (see docs/glossary.md).
    """

    INFORMAL = "01", "Informal"
    S2 = "02", "Section 2"
    S3 = "03", "Section 3"
    S4 = "04", "Section 4"
    S5_2 = "05", "Section 5(2)"
    S5_4 = "06", "Section 5(4)"
    S35 = "07", "Section 35"
    S36 = "08", "Section 36"
    S37_41 = "09", "Section 37 with section 41 restrictions"
    S37 = "10", "Section 37"
    S38 = "12", "Section 38"
    S44 = "13", "Section 44"
    S46 = "14", "Section 46"
    S47_49 = "15", "Section 47 with section 49 restrictions"
    S47 = "16", "Section 47"
    S48_49 = "17", "Section 48 with section 49 restrictions"
    S48 = "18", "Section 48"
    S135 = "19", "Section 135"
    S136 = "20", "Section 136"
    CPI = "31", "Criminal Procedure (Insanity) Act 1964"
    OTHER_ACTS = "32", "Other acts"
    S45A = "37", "Section 45A"
    NOT_KNOWN = "99", "Not known"


class StaffGroup(models.TextChoices):
    """NHS staff groups (NHS Digital workforce statistics, simplified)."""

    NURSING = "nursing", "Registered nursing"
    SUPPORT = "support", "Support to clinical staff (healthcare assistant, support worker)"
    MEDICAL = "medical", "Medical and dental"
    AHP = "ahp", "Allied health professional"
    PSYCHOLOGY = "psychology", "Psychology and therapies"
    SECURITY = "security", "Security"
    OTHER = "other", "Other"


class RightsRecipient(models.TextChoices):
    """Who was given information about the use of force (Use of Force Act s4)."""

    PATIENT = "patient", "The patient"
    CHOSEN_PERSON = "chosen_person", "A person the patient chose"


class RightsFormat(models.TextChoices):
    """How the information was given, so that it could be understood (s4(3))."""

    WRITTEN = "written", "Written leaflet"
    EASY_READ = "easy_read", "Easy read leaflet"
    VERBAL = "verbal", "Explained in person"
    TRANSLATED = "translated", "In another language, or with an interpreter"
    BSL = "bsl", "British Sign Language"
    AUDIO_VIDEO = "audio_video", "Audio or video"
    OTHER = "other", "Another format"


class RightsOutcome(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_POSSIBLE = "not_possible", "Not possible yet"


class RightsOccasion(models.TextChoices):
    ADMISSION = "admission", "On admission"
    REPEATED = "repeated", "Repeated (after force was used, when better able to understand, or on request)"


class VoiceAnswer(models.TextChoices):
    """The answers to the weekly check's questions, as the CQC survey offers them."""

    ALWAYS = "always", "Yes, always"
    SOMETIMES = "sometimes", "Yes, sometimes"
    NO = "no", "No"
