"""Reference tables for the synthetic data: real region codes, made-up places and people, and the
mixes that make the demo look like an English mental health inpatient service.

Every organisation and person name is synthetic. The mixes are rounded, plausible figures in the
shape of published national statistics (NHS England Mental Health Services Monthly Statistics and
Mental Health Act statistics); they are for a realistic demo, not for analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

# The seven NHS England regions, with their real codes.
REGIONS: list[tuple[str, str]] = [
    ("Y56", "London"),
    ("Y58", "South West"),
    ("Y59", "South East"),
    ("Y60", "Midlands"),
    ("Y61", "East of England"),
    ("Y62", "North West"),
    ("Y63", "North East and Yorkshire"),
]

# Place names are made by joining a start and an end: "Northmoor", "Ashford" ... clearly invented.
PLACE_STARTS = [
    "North", "South", "East", "West", "Ash", "Oak", "Elm", "Birch", "Brook", "Stone", "Mill", "High",
    "Long", "Green", "Red", "White", "Black", "Fair", "Kings", "Queens", "Marsh", "Hazel", "Thorn",
    "Wood", "Bright", "Clay", "Cold", "Deep", "Fox", "Hart", "Lark", "Moss", "Old", "Rose", "Silver",
    "Sand", "Star", "Wren", "Yew", "Bram",
]  # fmt: skip
PLACE_ENDS = [
    "moor", "field", "ford", "dale", "wick", "bury", "ton", "ham", "ley", "well", "worth", "bridge",
    "combe", "stead", "mere", "thorpe", "by", "holt", "hurst", "gate",
]  # fmt: skip

TRUST_SUFFIXES = [
    "Mental Health NHS Foundation Trust",
    "Partnership NHS Foundation Trust",
    "Health and Care NHS Trust",
    "Care NHS Foundation Trust",
    "Healthcare NHS Trust",
]
INDEPENDENT_SUFFIXES = ["Healthcare Ltd", "Hospitals Group", "Care Partnerships Ltd", "Specialist Care Ltd"]
SITE_PATTERNS = ["{place} Hospital", "{place} Centre", "The {place} Unit", "{place} House"]
WARD_NAMES = [
    "Willow", "Rowan", "Cedar", "Maple", "Hawthorn", "Juniper", "Alder", "Aspen", "Beech", "Holly",
    "Larch", "Linden", "Poplar", "Sycamore", "Heron", "Kestrel", "Curlew", "Swift", "Merlin", "Osprey",
    "Avocet", "Plover", "Linnet", "Skylark", "Bluebell", "Foxglove", "Heather", "Primrose", "Thistle",
    "Clover", "Daisy", "Iris", "Lavender", "Poppy", "Tamar", "Severn", "Trent", "Tyne", "Wear", "Avon",
]  # fmt: skip

GIVEN_NAMES_MALE = [
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "James", "William",
    "Daniel", "Joshua", "Samuel", "Mohammed", "Adam", "Ryan", "Liam", "Kwame", "Arjun", "Michael",
    "David", "Paul", "Mark", "Andrew", "Stephen", "Chidi", "Ravi", "Tomasz", "Connor", "Lewis",
]  # fmt: skip
GIVEN_NAMES_FEMALE = [
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Mia", "Lily", "Ella", "Jessica",
    "Chloe", "Sarah", "Emma", "Hannah", "Aisha", "Fatima", "Priya", "Zainab", "Laura", "Rachel",
    "Karen", "Susan", "Helen", "Claire", "Amara", "Agnieszka", "Megan", "Holly", "Niamh",
]  # fmt: skip
FAMILY_NAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green",
    "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
    "Khan", "Ali", "Begum", "Okafor", "Mensah", "Campbell", "Kelly", "Nowak", "Singh", "Ahmed",
]  # fmt: skip


@dataclass(frozen=True)
class SpecialismProfile:
    """How a kind of ward looks: share of wards, beds, sexes, ages, stays and diagnoses."""

    share_nhs: float  # share of NHS trust wards
    share_independent: float  # share of independent provider wards
    beds: tuple[int, int]  # inclusive range
    sex: tuple[float, float, float]  # male, female, mixed
    age: tuple[float, float, int, int]  # mean, sd, min, max (years at admission)
    los_median: float  # median length of a ward stay, days (log-normal)
    los_sigma: float  # log-normal shape
    diagnoses: dict[str, float]  # ICD-10 code -> weight
    legal: dict[str, float]  # LegalStatus code -> weight
    learning_disability: float  # chance of a learning disability
    autism: float  # chance of autism


PROFILES: dict[str, SpecialismProfile] = {
    "adult_acute": SpecialismProfile(
        0.42, 0.08, (14, 24), (0.45, 0.42, 0.13), (38, 13, 18, 75), 30, 0.85,
        {"F20.0": 30, "F31.1": 10, "F31.2": 6, "F25.0": 8, "F32.2": 10, "F60.3": 12, "F23.0": 8, "F10.2": 4,
         "F43.1": 5, "F19.5": 7},
        {"02": 38, "03": 34, "01": 20, "05": 3, "37": 1, "10": 2, "20": 2}, 0.02, 0.04,
    ),
    "picu": SpecialismProfile(
        0.11, 0.10, (8, 12), (0.70, 0.20, 0.10), (32, 10, 18, 65), 14, 0.75,
        {"F20.0": 40, "F31.2": 15, "F25.0": 12, "F23.0": 10, "F60.3": 8, "F19.5": 10, "F12.5": 5},
        {"03": 55, "02": 35, "10": 4, "09": 2, "16": 2, "12": 2}, 0.02, 0.06,
    ),
    "older_adult": SpecialismProfile(
        0.13, 0.03, (12, 20), (0.35, 0.35, 0.30), (78, 7, 65, 99), 45, 0.8,
        {"F00.1": 15, "F01.9": 10, "F03": 10, "F32.3": 20, "F20.0": 15, "F31.1": 10, "F06.2": 10, "F05.1": 10},
        {"02": 40, "03": 30, "01": 30}, 0.01, 0.01,
    ),
    "rehabilitation": SpecialismProfile(
        0.08, 0.16, (10, 18), (0.55, 0.25, 0.20), (40, 11, 20, 70), 240, 0.7,
        {"F20.0": 55, "F25.0": 20, "F31.1": 10, "F60.3": 10, "F20.5": 5},
        {"03": 60, "10": 10, "01": 30}, 0.04, 0.06,
    ),
    "forensic_low": SpecialismProfile(
        0.07, 0.20, (12, 16), (0.82, 0.15, 0.03), (37, 10, 19, 70), 500, 0.6,
        {"F20.0": 50, "F25.0": 15, "F60.2": 15, "F31.1": 8, "F60.3": 7, "F84.0": 5},
        {"09": 35, "10": 15, "15": 12, "03": 28, "17": 5, "12": 5}, 0.05, 0.08,
    ),
    "forensic_medium": SpecialismProfile(
        0.06, 0.10, (12, 16), (0.85, 0.13, 0.02), (38, 10, 19, 70), 700, 0.55,
        {"F20.0": 55, "F25.0": 15, "F60.2": 15, "F31.1": 5, "F60.3": 5, "F84.0": 5},
        {"09": 45, "10": 12, "15": 15, "03": 15, "17": 8, "12": 5}, 0.04, 0.07,
    ),
    "forensic_high": SpecialismProfile(
        0.005, 0.0, (12, 16), (0.95, 0.05, 0.0), (40, 10, 20, 70), 1500, 0.5,
        {"F20.0": 60, "F60.2": 25, "F25.0": 10, "F84.0": 5},
        {"09": 55, "15": 25, "03": 15, "17": 5}, 0.03, 0.06,
    ),
    "ld_autism": SpecialismProfile(
        0.05, 0.16, (6, 12), (0.60, 0.25, 0.15), (30, 10, 18, 65), 180, 0.9,
        {"F84.0": 35, "F70.1": 15, "F71.1": 15, "F84.5": 10, "F20.0": 10, "F60.3": 10, "F90.0": 5},
        {"03": 60, "09": 12, "02": 13, "01": 15}, 0.60, 0.70,
    ),
    "cyp": SpecialismProfile(
        0.05, 0.10, (8, 14), (0.30, 0.50, 0.20), (15.5, 1.3, 12, 17), 60, 0.8,
        {"F32.2": 25, "F50.0": 12, "F60.3": 8, "F20.0": 10, "F43.1": 10, "F84.0": 15, "F91.3": 10, "F23.0": 10},
        {"01": 35, "02": 25, "03": 40}, 0.03, 0.18,
    ),
    "eating_disorder": SpecialismProfile(
        0.03, 0.05, (10, 16), (0.05, 0.70, 0.25), (25, 7, 18, 60), 90, 0.6,
        {"F50.0": 70, "F50.1": 10, "F50.2": 15, "F50.8": 5},
        {"01": 50, "03": 40, "02": 10}, 0.01, 0.12,
    ),
    "mother_baby": SpecialismProfile(
        0.015, 0.0, (6, 10), (0.0, 1.0, 0.0), (30, 5, 18, 45), 35, 0.6,
        {"F53.1": 40, "F53.0": 20, "F31.2": 20, "F32.2": 20},
        {"01": 60, "02": 25, "03": 15}, 0.01, 0.02,
    ),
    "other": SpecialismProfile(
        0.02, 0.02, (10, 18), (0.45, 0.40, 0.15), (40, 14, 18, 80), 40, 0.8,
        {"F20.0": 30, "F32.2": 30, "F60.3": 20, "F43.1": 20},
        {"02": 35, "03": 35, "01": 30}, 0.03, 0.05,
    ),
}  # fmt: skip

# Ethnic category mix of mental health inpatients in England (rounded): mostly White British, with
# Black groups (M, N, P) overrepresented against the general population, and some not stated/known.
ETHNICITY: dict[str, float] = {
    "A": 66.0, "B": 1.0, "C": 5.0, "D": 1.5, "E": 0.7, "F": 0.6, "G": 1.2, "H": 1.6, "J": 1.8, "K": 0.6,
    "L": 1.6, "M": 3.2, "N": 4.2, "P": 2.4, "R": 0.3, "S": 2.3, "Z": 2.5, "99": 3.5,
}  # fmt: skip

RELIGION: dict[str, float] = {
    "none": 30, "christian": 35, "muslim": 7, "hindu": 1.5, "sikh": 1, "jewish": 0.5, "buddhist": 0.5,
    "other": 1.5, "not_stated": 8, "not_known": 15,
}  # fmt: skip
SEXUAL_ORIENTATION: dict[str, float] = {"1": 70, "2": 3, "3": 3, "4": 0.5, "U": 1.5, "Z": 7, "9": 15}
DISABILITY: dict[str, float] = {"Y": 25, "N": 55, "U": 20}

# Staff on each ward: (job title, staff group, how many per 10 beds (min 1), chance per ward).
WARD_STAFF_MIX: list[tuple[str, str, float, float]] = [
    ("Ward Manager", "nursing", 0.0, 1.0),
    ("Deputy Ward Manager", "nursing", 0.0, 0.8),
    ("Charge Nurse", "nursing", 1.0, 1.0),
    ("Staff Nurse", "nursing", 4.0, 1.0),
    ("Healthcare Assistant", "support", 5.0, 1.0),
    ("Senior Healthcare Assistant", "support", 1.0, 1.0),
    ("Consultant Psychiatrist", "medical", 0.0, 1.0),
    ("Specialty Doctor", "medical", 0.0, 0.7),
    ("Core Trainee Psychiatrist", "medical", 0.0, 0.6),
    ("Occupational Therapist", "ahp", 0.0, 0.8),
    ("Clinical Psychologist", "psychology", 0.0, 0.6),
    ("Activity Coordinator", "other", 0.0, 0.5),
]
FORENSIC_STAFF: tuple[str, str] = ("Security Nurse", "security")
