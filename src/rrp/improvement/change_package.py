"""The starter change package RRP ships (issue 14, item 3): change ideas for reducing restrictive
practice, each with the driver it serves and the public source it comes from. Loaded by the migration
``0007_change_package`` (and kept as written there: a later edit here changes new installs' demo only
through ``starter_ideas``). Descriptions are in our words; follow the source for the detail."""

from __future__ import annotations

SAFEWARDS = "Bowers L. Safewards: a new model of conflict and containment on psychiatric wards. J Psychiatr Ment Health Nurs 2014;21(6):499-508; the ten interventions at safewards.net"
SAFEWARDS_URL = "https://www.safewards.net/"
NICE_DEBRIEF = "NICE NG10 (2015) Violence and aggression: short-term management, section 1.4; NICE QS154 (2017) quality statement 5"
NICE_QS154_URL = "https://www.nice.org.uk/guidance/qs154/chapter/Quality-statements"
MHSIP_IDEAS = "RCPsych NCCMH, Mental Health Safety Improvement Programme: ideas for changing practice"
MHSIP_URL = (
    "https://www.rcpsych.ac.uk/improving-care/nccmh/quality-improvement-programmes/"
    "MHSIP-reducing-restrictive-practice/reducing-restrictive-practice/ideas-for-changing-practice"
)

# (title, driver, tags, description, source, url)
STARTER_IDEAS: list[tuple[str, str, str, str, str, str]] = [
    (
        "Safewards: clear mutual expectations",
        "Ward rules and expectations",
        "safewards, coproduction",
        "Patients and staff agree a short set of expectations that apply to both, displayed on the ward and reviewed together.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: soft words",
        "Staff communication",
        "safewards, de-escalation",
        "Staff take care over how they say no, give choices and respect, especially when a request is refused.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: talk down",
        "De-escalation",
        "safewards, de-escalation",
        "A shared approach to de-escalation: delimiting, clarifying the problem and resolving it, staying calm and respectful.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: positive words",
        "Staff communication",
        "safewards, handover",
        "At handover staff say something positive about each patient, and explain behaviour psychologically.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: bad news mitigation",
        "Anticipating flashpoints",
        "safewards",
        "Staff notice when a patient receives bad news (a refused leave, a tribunal result) and offer support before distress escalates.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: know each other",
        "Relationships",
        "safewards, relationships",
        "Staff and patients share some interests and facts about themselves, so conversations start more easily.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: mutual help meeting",
        "Relationships",
        "safewards, community meeting",
        "A regular patients' meeting to offer and ask for help, share news and give thanks.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: calm down methods",
        "De-escalation",
        "safewards, sensory",
        "A box of calming aids and techniques offered before as-required medication or other containment.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: reassurance",
        "Anticipating flashpoints",
        "safewards",
        "After an incident on the ward staff talk with every patient to reassure them and answer questions.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Safewards: discharge messages",
        "Hope and recovery",
        "safewards, recovery",
        "Patients leaving write a message of hope for those still on the ward, displayed where all can see.",
        SAFEWARDS,
        SAFEWARDS_URL,
    ),
    (
        "Post-incident debrief with the patient",
        "Learning after incidents",
        "debrief, patient voice",
        "After every restrictive intervention the patient is offered a debrief, with someone they choose, to understand what happened and plan how to avoid it.",
        NICE_DEBRIEF,
        NICE_QS154_URL,
    ),
    (
        "Post-incident debrief for staff",
        "Learning after incidents",
        "debrief, staff wellbeing",
        "An immediate check on staff after an incident, and a later reflective review of what led to it and what could be done differently.",
        NICE_DEBRIEF,
        NICE_QS154_URL,
    ),
    (
        "Advance statements on de-escalation",
        "Individual care planning",
        "advance statement, patient voice",
        "Patients record in advance how they want to be helped when distressed, and what they want to avoid, and staff use it.",
        "NICE QS154 (2017) Violent and aggressive behaviours in people with mental health problems, quality statements",
        NICE_QS154_URL,
    ),
    (
        "Safety huddles",
        "Anticipating flashpoints",
        "huddle, risk",
        "A short daily team meeting to name the patients and times at risk of conflict today and agree who does what.",
        "Establishing safety huddles on a general adult acute psychiatric ward: staff's views and relation with restrictive practice. BJPsych Open",
        "https://www.cambridge.org/core/journals/bjpsych-open/article/establishing-safety-huddles-on-a-general-adult-acute-psychiatric-ward-staffs-views-and-relation-with-restrictive-practice/D8BE65A69BAD7520988CDBDC3BE56134",
    ),
    (
        "Positive behaviour support plans",
        "Individual care planning",
        "PBS, learning disability, autism",
        "A plan for each person at risk, from an understanding of what their behaviour communicates: primary prevention, early warning signs and least restrictive responses.",
        "Department of Health. Positive and Proactive Care: reducing the need for restrictive interventions, April 2014",
        "",
    ),
    (
        "Collaborative care plans in the patient's own words",
        "Individual care planning",
        "coproduction, patient voice",
        "Care plans written with the patient, in their words, including what helps them when they are distressed.",
        MHSIP_IDEAS,
        MHSIP_URL,
    ),
    (
        "Reviewing blanket restrictions",
        "Ward rules and expectations",
        "blanket restrictions, least restrictive",
        "The ward lists its unwritten and written rules that apply to everyone, and removes those not justified for each person.",
        "Health Innovation Manchester, patient safety collaborative: mental health (reducing restrictive practice)",
        "https://healthinnovationmanchester.com/our-work/patient-safety-collaborative-gmecpsc-mental-health/",
    ),
    (
        "Trauma-informed care",
        "Ward culture",
        "trauma-informed, training",
        "Staff are trained to understand how past trauma shapes responses to restriction, and practice is reviewed to avoid re-traumatising.",
        "RCPsych, Creating a culture of safety in inpatient settings (core themes: coproduction, trauma-informed care, inequalities)",
        "https://elearninghub.rcpsych.ac.uk/products/Creating_culture_of_safety_inpatient_settings",
    ),
    (
        "Using data to inform practice",
        "Leadership and data",
        "six core strategies, data",
        "Restrictive practice data reviewed by ward and board every month, by person and by shift, to find where to act (one of the Six Core Strategies).",
        "Huckshorn / NASMHPD Six Core Strategies to reduce seclusion and restraint, as summarised by New York State OMH",
        "https://omh.ny.gov/omhweb/dqm/restraint-seclusion/corestrategies.html",
    ),
    (
        "HOPE(S) model for long-term segregation",
        "Individual care planning",
        "long-term segregation, HOPE(S)",
        "A person-centred approach for people in long-term segregation: attachments, meaningful opportunities, protective strategies, coping and managing the system.",
        "Mersey Care NHS Foundation Trust, HOPE(S) model",
        "https://www.merseycare.nhs.uk/hopes-model",
    ),
]
