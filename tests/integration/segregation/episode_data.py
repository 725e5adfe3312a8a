"""Content for test episodes."""

from __future__ import annotations


def seclusion_kwargs(**overrides):
    return {
        "kind": "seclusion",
        "place": "Seclusion room 1",
        "reason": "Severe behavioural disturbance likely to harm others",
        "end_plan": "End when calm for 30 minutes and able to talk about the incident",
        **overrides,
    }


def lts_kwargs(**overrides):
    return {
        "kind": "long_term_segregation",
        "place": "Annexe flat",
        "reason": "Sustained risk of harm to others, a constant feature of presentation",
        "end_plan": "Graded reintegration: two hours a day on the main ward with two staff",
        "mdt_decision": "MDT agreed LTS is needed to reduce the sustained risk",
        "commissioner_representative": "Casey Commissioner, ICB case manager",
        **overrides,
    }
