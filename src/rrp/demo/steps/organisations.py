"""Demo steps for organisations: regions, ICBs, providers, sites, wards and collaboratives."""

from __future__ import annotations

import numpy as np

from rrp.demo import reference as ref
from rrp.demo.registry import DemoContext, demo_step
from rrp.organisations.models import (
    Collaborative,
    CollaborativeKind,
    CollaborativeMembership,
    Commissioner,
    Provider,
    ProviderKind,
    Region,
    Site,
    Ward,
)

ICBS_IN_ENGLAND = 42
SPECIALISMS = list(ref.PROFILES)
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def base36(number: int, width: int) -> str:
    """`number` in base 36, zero-padded: compact unique suffixes for synthetic codes."""
    digits = ""
    for _ in range(width):
        number, rest = divmod(number, 36)
        digits = BASE36[rest] + digits
    return digits


def place_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` different invented place names ("Northmoor", "Ashford", ...) in a seeded order."""
    combos = [start + end for start in ref.PLACE_STARTS for end in ref.PLACE_ENDS]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order]
    # Past the 800 combinations, number them ("Northmoor 2") rather than repeat a name.
    return [
        names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "") for i in range(count)
    ]


def choose(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    """`size` draws from the keys of `weights`, in proportion to the weights."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys)[rng.choice(len(keys), size=size, p=p / p.sum())]


@demo_step(
    "organisations", models=(Region, Commissioner, Provider, Provider.commissioners.through, Site, Ward)
)
def organisations(ctx: DemoContext) -> None:
    """Regions (the real seven), synthetic ICBs and providers, their sites and wards."""
    rng = ctx.rng_for("organisations")
    n_providers, per_provider = ctx.options.providers, ctx.options.wards_per_provider
    w = ctx.writer

    region_ids = np.arange(1, len(ref.REGIONS) + 1)
    w.insert(
        Region, {"id": region_ids, "code": [c for c, _ in ref.REGIONS], "name": [n for _, n in ref.REGIONS]}
    )
    ctx.publish("region", {"id": region_ids})

    # About one ICB per two or three providers, up to England's 42; spread over the regions in turn.
    n_icbs = int(min(ICBS_IN_ENGLAND, max(1, np.ceil(n_providers * 0.45))))
    n_sites_each = np.clip(rng.integers(1, 3 + per_provider // 6, size=n_providers), 1, per_provider)
    places = place_names(rng, n_icbs + n_providers + int(n_sites_each.sum()))
    icb_ids = np.arange(1, n_icbs + 1)
    icb_region = region_ids[np.arange(n_icbs) % len(region_ids)]
    w.insert(
        Commissioner,
        {
            "id": icb_ids,
            "ods_code": [f"Q{base36(i, 3)}" for i in range(n_icbs)],
            "name": [f"NHS {places[i]} Integrated Care Board" for i in range(n_icbs)],
            "region_id": icb_region,
        },
    )
    ctx.publish("commissioner", {"id": icb_ids, "region_id": icb_region})

    # Providers: mostly NHS trusts (codes R.../T...), about a fifth independent (codes 8...). The
    # first is always a trust, so the demo logins sit in the NHS.
    provider_ids = np.arange(1, n_providers + 1)
    independent = rng.random(n_providers) < 0.2
    independent[0] = False
    home_icb = icb_ids[np.arange(n_providers) % n_icbs]
    provider_region = icb_region[home_icb - 1]
    codes, names = [], []
    for i in range(n_providers):
        place = places[n_icbs + i]
        if independent[i]:
            codes.append(f"8X{base36(i, 3)}")
            names.append(f"{place} {ref.INDEPENDENT_SUFFIXES[rng.integers(len(ref.INDEPENDENT_SUFFIXES))]}")
        else:
            codes.append(f"{'RT'[i % 2]}X{base36(i, 2)}")
            names.append(f"{place} {ref.TRUST_SUFFIXES[rng.integers(len(ref.TRUST_SUFFIXES))]}")
    kinds = np.where(independent, ProviderKind.INDEPENDENT.value, ProviderKind.NHS_TRUST.value)
    w.insert(
        Provider,
        {"id": provider_ids, "ods_code": codes, "name": names, "kind": kinds, "region_id": provider_region},
    )
    # Each provider is commissioned by its home ICB and, for about a third, by a neighbour in its region.
    link_provider, link_icb = list(provider_ids), list(home_icb)
    for i in np.flatnonzero(rng.random(n_providers) < 0.35):
        neighbours = icb_ids[(icb_region == provider_region[i]) & (icb_ids != home_icb[i])]
        if len(neighbours):
            link_provider.append(provider_ids[i])
            link_icb.append(neighbours[rng.integers(len(neighbours))])
    w.insert(Provider.commissioners.through, {"provider_id": link_provider, "commissioner_id": link_icb})
    ctx.publish(
        "provider",
        {
            "id": provider_ids,
            "region_id": provider_region,
            "commissioner_id": home_icb,
            "independent": independent,
            "code": np.array(codes),
        },
    )

    # Sites: one to a few per provider, coded after the provider.
    site_provider = np.repeat(provider_ids, n_sites_each)
    site_ids = np.arange(1, len(site_provider) + 1)
    site_number = np.concatenate([np.arange(n) for n in n_sites_each])
    site_place = places[n_icbs + n_providers :]
    w.insert(
        Site,
        {
            "id": site_ids,
            "provider_id": site_provider,
            "ods_code": [
                f"{codes[p - 1]}{base36(k + 1, 2)}" for p, k in zip(site_provider, site_number, strict=True)
            ],
            "name": [
                ref.SITE_PATTERNS[rng.integers(len(ref.SITE_PATTERNS))].format(place=site_place[i])
                for i in range(len(site_ids))
            ],
        },
    )
    ctx.publish("site", {"id": site_ids, "provider_id": site_provider})
    _wards(ctx, rng, provider_ids, independent, codes, site_provider, site_ids)


def _wards(
    ctx: DemoContext,
    rng: np.random.Generator,
    provider_ids: np.ndarray,
    independent: np.ndarray,
    codes: list[str],
    site_provider: np.ndarray,
    site_ids: np.ndarray,
) -> None:
    """Wards of mixed specialisms; a few open or close part-way through the period."""
    per_provider = ctx.options.wards_per_provider
    n_wards = len(provider_ids) * per_provider
    ward_ids = np.arange(1, n_wards + 1)
    ward_provider = np.repeat(provider_ids, per_provider)
    ward_number = np.tile(np.arange(per_provider), len(provider_ids))
    nhs_share = {s: p.share_nhs for s, p in ref.PROFILES.items()}
    independent_share = {s: p.share_independent for s, p in ref.PROFILES.items()}
    specialism = np.where(
        np.repeat(independent, per_provider),
        choose(rng, independent_share, n_wards),
        choose(rng, nhs_share, n_wards),
    ).astype(object)
    # The demo logins' provider has an adult acute ward and a PICU, so transfers show up.
    specialism[0] = "adult_acute"
    if per_provider > 1:
        specialism[1] = "picu"
    beds = np.empty(n_wards, dtype=np.int64)
    sex = np.empty(n_wards, dtype=object)
    for name, profile in ref.PROFILES.items():
        mask = specialism == name
        beds[mask] = rng.integers(profile.beds[0], profile.beds[1] + 1, size=mask.sum())
        sex[mask] = np.array(["male", "female", "mixed"])[rng.choice(3, size=mask.sum(), p=profile.sex)]
    # Each ward sits on one of its provider's sites.
    first_site = np.searchsorted(site_provider, ward_provider)
    sites_of_provider = np.bincount(site_provider)[ward_provider]
    ward_site = site_ids[first_site + rng.integers(0, sites_of_provider)]

    names = []
    for _ in range(len(provider_ids)):
        order = rng.permutation(len(ref.WARD_NAMES))
        for k in range(per_provider):
            base = ref.WARD_NAMES[order[k % len(order)]]
            names.append(f"{base} Ward" + (f" {k // len(order) + 1}" if k >= len(order) else ""))
    ward_codes = [f"{codes[p - 1]}-{k + 1:02d}" for p, k in zip(ward_provider, ward_number, strict=True)]

    # Most wards opened years ago; about 4% open and 4% close during the period (never ward 1).
    n_days = ctx.n_days
    opened = -rng.integers(365, 20 * 365, size=n_wards)
    closed = np.full(n_wards, -1, dtype=np.int64)  # -1: still open
    change = rng.random(n_wards)
    opens_late = change < 0.04
    closes = (change >= 0.04) & (change < 0.08)
    opens_late[0] = closes[0] = False
    opened[opens_late] = (rng.uniform(0.1, 0.8, size=opens_late.sum()) * n_days).astype(np.int64)
    closed[closes] = (rng.uniform(0.3, 0.95, size=closes.sum()) * n_days).astype(np.int64)
    day0 = ctx.day0
    closed_dates = np.where(closed >= 0, day0 + closed, np.datetime64("NaT", "D"))
    ctx.writer.insert(
        Ward,
        {
            "id": ward_ids,
            "site_id": ward_site,
            "provider_id": ward_provider,
            "code": ward_codes,
            "name": names,
            "specialism": specialism.astype(str),
            "sex": sex.astype(str),
            "beds": beds,
            "opened_on": day0 + opened,
            "closed_on": closed_dates.astype("datetime64[D]"),
        },
    )
    ctx.publish(
        "ward",
        {
            "id": ward_ids,
            "provider_id": ward_provider,
            "site_id": ward_site,
            "specialism": specialism.astype(str),
            "sex": sex.astype(str),
            "beds": beds,
            "opened": opened,  # day numbers from the period's first day
            "closed": closed,  # -1 when still open
        },
    )


@demo_step("collaboratives", after=("organisations",), models=(Collaborative, CollaborativeMembership))
def collaboratives(ctx: DemoContext) -> None:
    """A national programme cohort and a regional collaborative, with wards joining and some leaving."""
    rng = ctx.rng_for("collaboratives")
    wards, providers = ctx.frame("ward"), ctx.frame("provider")
    region_id = int(providers["region_id"][0])
    region_name = ref.REGIONS[region_id - 1][1]
    n_days = ctx.n_days
    starts = np.array([min(180, n_days // 4), min(90, n_days // 8)])
    ctx.writer.insert(
        Collaborative,
        {
            "id": [1, 2],
            "name": [
                "Reducing Restrictive Practice National Cohort (demo)",
                f"{region_name} Least Restrictive Care Collaborative (demo)",
            ],
            "kind": [CollaborativeKind.NATIONAL.value, CollaborativeKind.REGIONAL.value],
            "region_id": np.array([None, region_id], dtype=object),
            "aim": [
                "Reduce the use of restrictive practice by a third in member wards within two years.",
                "Halve prone restraint and seclusion across the region's wards.",
            ],
            "starts_on": ctx.day0 + starts,
            "ends_on": np.array(["NaT", "NaT"], dtype="datetime64[D]"),
        },
    )
    ward_region = providers["region_id"][wards["provider_id"] - 1]
    eligible = [
        np.ones(len(wards["id"]), dtype=bool),  # national: any ward in England
        ward_region == region_id,  # regional: wards of the region's providers
    ]
    shares = [0.45, 0.6]
    collab, ward_id, joined, left = [], [], [], []
    for index in range(2):
        member = eligible[index] & (rng.random(len(wards["id"])) < shares[index])
        member[0] = True  # ward 1 (the demo logins' ward) is in both
        # Joining is staggered over the first three months, never before the ward opens.
        join = np.maximum(starts[index] + rng.integers(0, 91, size=len(member)), wards["opened"])
        closed = wards["closed"]
        member &= (join < n_days) & ((closed < 0) | (join < closed))
        leave = join + rng.integers(180, 900, size=len(member))
        leaves = (rng.random(len(member)) < 0.12) & (leave < n_days)
        leaves[0] = False
        leave = np.where(closed >= 0, np.where(leaves, np.minimum(leave, closed), closed), leave)
        leaves |= closed >= 0
        idx = np.flatnonzero(member)
        collab.append(np.full(len(idx), index + 1))
        ward_id.append(wards["id"][idx])
        joined.append(join[idx])
        left.append(np.where(leaves[idx], leave[idx], -1))
    left_days = np.concatenate(left)
    frame = {
        "collaborative_id": np.concatenate(collab),
        "ward_id": np.concatenate(ward_id),
        "joined": np.concatenate(joined),
        "left": left_days,
    }
    frame["id"] = np.arange(1, len(frame["ward_id"]) + 1)
    ctx.writer.insert(
        CollaborativeMembership,
        {
            "id": frame["id"],
            "collaborative_id": frame["collaborative_id"],
            "ward_id": frame["ward_id"],
            "joined_on": ctx.day0 + frame["joined"],
            "left_on": np.where(left_days >= 0, ctx.day0 + left_days, np.datetime64("NaT", "D")).astype(
                "datetime64[D]"
            ),
        },
    )
    ctx.publish("collaborative", {"id": np.array([1, 2]), "starts": starts})
    ctx.publish("collaborative_membership", frame)
