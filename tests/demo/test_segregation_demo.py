"""Tests for the seclusion and segregation demo step (src/rrp/demo/steps/segregation.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from rrp.demo.generate import demo_data_generate
from rrp.demo.registry import DemoOptions
from rrp.segregation.models import Episode, EpisodeVersion, Observation, Review
from rrp.segregation.selectors import episode_states

SMALL = DemoOptions(providers=4, wards_per_provider=6, years=1, seed=3, end_date=dt.date(2025, 6, 30))


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_data_generate(options=SMALL)


def test_segregation_demo_realistic_durations_and_late_reviews(demo):
    versions = list(EpisodeVersion.objects.select_related("episode"))
    seclusion = [v for v in versions if v.episode.kind == "seclusion" and v.ended_at]
    lts = [v for v in versions if v.episode.kind == "long_term_segregation"]
    hours = np.array([(v.ended_at - v.started_at).total_seconds() / 3600 for v in seclusion])
    assert len(seclusion) > 50
    assert 2 <= np.median(hours) <= 10  # most seclusions last hours
    assert 0 < (hours > 24).mean() < 0.15  # a few last days
    assert lts, "some long-term segregation"
    end = timezone.make_aware(dt.datetime(2025, 7, 1))
    lts_days = [((v.ended_at or end) - v.started_at).days for v in lts]
    assert max(lts_days) >= 60  # months long
    assert Review.objects.count() > len(seclusion) * 2
    assert Observation.objects.exists()
    states = episode_states(Episode.objects.all(), now=end)
    late = sum(s.late_reviews for s in states)
    reviews = sum(len(s.reviews) for s in states)
    assert 0.03 < late / reviews < 0.4  # some reviews late, most on time


def test_segregation_demo_episodes_fit_their_stays_and_never_overlap(demo):
    from itertools import pairwise

    by_patient: dict[tuple[int, str], list[EpisodeVersion]] = {}
    for v in EpisodeVersion.objects.select_related("episode").order_by("started_at"):
        by_patient.setdefault((v.episode.patient_id, v.episode.kind), []).append(v)
        assert v.ended_at is None or v.ended_at > v.started_at
    for versions in by_patient.values():
        for a, b in pairwise(versions):
            assert a.ended_at is not None and a.ended_at <= b.started_at
    assert all(
        r.at >= r.episode.versions.get().started_at for r in Review.objects.select_related("episode")[:500]
    )


def test_reviews_overdue_are_those_of_episode_states(demo):
    """The huddle's light look-up gives exactly the overdue reviews ``episode_states`` gives."""
    from rrp.segregation.selectors import reviews_overdue

    episodes = list(Episode.objects.select_related("patient"))
    compared = 0
    for now in (
        timezone.make_aware(dt.datetime(2025, 3, 1, 9)),
        timezone.make_aware(dt.datetime(2025, 7, 1)),
    ):
        full = {s.episode.pk: s.overdue for s in episode_states(episodes, now=now)}
        light = {episode.pk: overdue for episode, overdue in reviews_overdue(episodes, now=now)}
        assert light == full
        compared += sum(len(o) for o in full.values())
    assert compared > 0  # some reviews were overdue at one of the times


def test_segregation_demo_oversight(demo):
    """Issue 17: everyone in LTS at the end has an independent review with three recommendations (one
    overdue), a plan to end it with a step done, and the demo commissioner has a named-access grant."""
    from rrp.accounts.models import User
    from rrp.segregation.models import EndPlanVersion, IndependentReview, NamedAccessGrant, Recommendation
    from rrp.segregation.oversight_selectors import recommendation_states

    active = Episode.objects.filter(kind="long_term_segregation").active()
    assert active.exists()
    independent = IndependentReview.objects.filter(kind="independent_segregation")
    assert independent.count() == active.count() == EndPlanVersion.objects.count()
    states = recommendation_states(
        Recommendation.objects.filter(independent_review__in=independent), today=dt.date(2025, 6, 30)
    )
    assert len(states) == 3 * active.count()
    assert any(s.overdue for s in states) and any(s.status == "achieved" for s in states)
    grant = NamedAccessGrant.objects.get()
    assert grant.visits.count() == 1
    commissioner = User.objects.get(username="commissioner")
    assert (
        grant.user == commissioner
        and grant.provider.commissioners.filter(pk=commissioner.commissioner_id).exists()
    )


def test_segregation_demo_cetrs_fill_every_part_of_the_schedule(demo):
    """Issue 17, items 1-2: the logins' provider has inpatients with a learning disability or autism,
    some with a C(E)TR and a recommendation to the commissioner, and the schedule has someone overdue and
    someone due later."""
    from rrp.accounts.models import User
    from rrp.segregation.models import IndependentReview
    from rrp.segregation.oversight_selectors import cetr_schedule_for

    governance = User.objects.get(username="governance")
    cetrs = IndependentReview.objects.filter(kind__in=("ctr", "cetr"), provider=governance.provider)
    assert cetrs.exists() and all(c.recommendations.count() == 1 for c in cetrs)
    schedule = cetr_schedule_for(
        governance, governance.provider, now=timezone.make_aware(dt.datetime(2025, 6, 30, 12))
    )
    assert schedule.overdue and schedule.later


def test_segregation_demo_defacto_flags_fire_for_the_expected_people(demo):
    """Issue 17, item 4: at the end of the demo, everyone with a seclusion of more than 48 hours in the
    last 28 days is flagged, and no one is flagged without a rule that fits them."""
    from rrp.organisations.models import Ward
    from rrp.segregation import defacto
    from rrp.segregation.oversight_selectors import defacto_flags

    end = timezone.make_aware(dt.datetime(2025, 6, 30, 23))
    since = end - dt.timedelta(days=defacto.LOOKBACK_DAYS)
    flagged: set[int] = set()
    for provider_id in Ward.objects.values_list("provider_id", flat=True).distinct():
        flags = defacto_flags(
            provider_id=provider_id, ward_ids=Ward.objects.filter(provider_id=provider_id), now=end
        )
        flagged |= {f.patient_id for f in flags}
    long_ones = {
        v.episode.patient_id
        for v in EpisodeVersion.objects.filter(episode__kind="seclusion").select_related("episode")
        if (v.ended_at or end) >= since
        and (v.ended_at or end) - v.started_at > dt.timedelta(hours=defacto.LONG_SECLUSION_HOURS)
    }
    assert long_ones, "the demo has long seclusions to flag"
    assert long_ones <= flagged


def test_demo_without_lts_at_home_puts_someone_in_lts_through_the_orm(db, settings):
    """Seed 2 at this size leaves no one in LTS at the demo logins' provider, so the oversight step
    creates an episode through the ORM after the segregation step wrote episodes with assigned ids.
    On PostgreSQL that insert hit 'duplicate key segregation_episode_pkey' until the generator moved
    the id sequences past the assigned ids after every step, not only at the end."""
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    options = DemoOptions(providers=1, wards_per_provider=2, years=1, seed=2, end_date=dt.date(2025, 6, 30))
    demo_data_generate(options=options)
    lts = Episode.objects.filter(kind="long_term_segregation").active()
    assert lts.filter(versions__authorised_by_name="Dr Demo Consultant").exists()
