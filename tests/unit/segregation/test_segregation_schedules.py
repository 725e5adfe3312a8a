"""Review schedules for seclusion and long-term segregation: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rrp.segregation.schedules import (
    DEFAULT_RULES,
    EpisodeFacts,
    Period,
    ReviewFact,
    Rules,
    check_record,
    continuous_trigger,
    independent_mdt_due,
    observation_due,
    review_timeliness,
    reviews_due,
    total_in_window_trigger,
)

LONDON = ZoneInfo("Europe/London")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def seclusion(start: dt.datetime, end: dt.datetime | None = None, *, by_doctor: bool = False) -> EpisodeFacts:
    return EpisodeFacts(kind="seclusion", started_at=start, ended_at=end, started_by_doctor=by_doctor)


def due_by_kind(items) -> dict:
    return {item.kind: item for item in items}


def test_seclusion_started_by_nurse_needs_medical_review_within_an_hour():
    start = at(2025, 6, 2, 10, 0)
    due = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], now=start))
    assert due["medical"].due_at == start + H
    assert due["nursing"].due_at == start + 2 * H
    assert due["mdt"].due_at == start + 24 * H
    assert not any(item.overdue for item in due.values())


def test_seclusion_started_by_doctor_first_medical_review_after_four_hours():
    start = at(2025, 6, 2, 10, 0)
    due = due_by_kind(reviews_due(episode=seclusion(start, by_doctor=True), reviews=[], now=start))
    assert due["medical"].due_at == start + 4 * H


def test_review_exactly_on_time_is_not_late_and_one_minute_later_is():
    start = at(2025, 6, 2, 10, 0)
    on_time = review_timeliness(episode=seclusion(start), reviews=[ReviewFact("medical", start + H)])
    late = review_timeliness(episode=seclusion(start), reviews=[ReviewFact("medical", start + H + M)])
    assert (on_time[0].late, on_time[0].minutes_late) == (False, 0)
    assert (late[0].late, late[0].minutes_late) == (True, 1)


def test_due_exactly_now_is_not_overdue_and_one_minute_later_is():
    start = at(2025, 6, 2, 10, 0)
    exactly = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], now=start + H))
    later = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], now=start + H + M))
    assert exactly["medical"].overdue is False
    assert (later["medical"].overdue, later["medical"].minutes_overdue) == (True, 1)


def test_next_review_counts_from_the_last_one_done():
    start = at(2025, 6, 2, 10, 0)
    reviews = [ReviewFact("nursing", start + 90 * M)]
    due = due_by_kind(reviews_due(episode=seclusion(start), reviews=reviews, now=start + 2 * H))
    assert due["nursing"].due_at == start + 90 * M + 2 * H
    assert due["nursing"].last_at == start + 90 * M


def test_medical_reviews_four_hourly_until_first_mdt_then_twice_a_day():
    start = at(2025, 6, 2, 10, 0)
    before = [ReviewFact("medical", start + H)]
    due_before = due_by_kind(reviews_due(episode=seclusion(start), reviews=before, now=start + 2 * H))
    assert due_before["medical"].due_at == start + 5 * H
    after = [*before, ReviewFact("mdt", start + 3 * H)]
    due_after = due_by_kind(reviews_due(episode=seclusion(start), reviews=after, now=start + 3 * H))
    assert due_after["medical"].due_at == start + H + 12 * H
    assert due_after["mdt"].due_at == start + 3 * H + 24 * H


def test_independent_mdt_review_counts_as_mdt_review():
    start = at(2025, 6, 2, 10, 0)
    reviews = [ReviewFact("independent_mdt", start + 9 * H)]
    due = due_by_kind(reviews_due(episode=seclusion(start), reviews=reviews, now=start + 10 * H))
    assert due["mdt"].due_at == start + 9 * H + 24 * H
    assert "independent_mdt" not in due


def test_seclusion_over_midnight_reviews_fall_due_next_day():
    start = at(2025, 6, 2, 23, 30)
    due = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], now=start + 30 * M))
    assert due["medical"].due_at == at(2025, 6, 3, 0, 30)
    assert due["nursing"].due_at == at(2025, 6, 3, 1, 30)


def test_clock_going_back_intervals_are_real_elapsed_time():
    # Clocks go back at 02:00 BST on 26 October 2025 (to 01:00 GMT): 23:30 BST + 4 real hours = 02:30 GMT.
    start = at(2025, 10, 25, 23, 30)
    due = due_by_kind(reviews_due(episode=seclusion(start, by_doctor=True), reviews=[], now=start))
    assert due["medical"].due_at == dt.datetime(2025, 10, 26, 2, 30, tzinfo=dt.UTC)
    assert due["medical"].due_at.astimezone(LONDON).strftime("%H:%M %Z") == "02:30 GMT"


def test_clock_going_forward_intervals_are_real_elapsed_time():
    # Clocks go forward at 01:00 GMT on 30 March 2025 (to 02:00 BST): 00:30 GMT + 2 hours = 03:30 BST.
    start = at(2025, 3, 30, 0, 30)
    due = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], now=start))
    assert due["nursing"].due_at.astimezone(LONDON) == at(2025, 3, 30, 3, 30)
    assert due["nursing"].due_at - start.astimezone(dt.UTC) == 2 * H


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        reviews_due(episode=seclusion(dt.datetime(2025, 1, 1)), reviews=[], now=at(2025, 1, 1, 1, 0))


def test_ended_episode_has_nothing_due():
    start = at(2025, 6, 2, 10, 0)
    assert reviews_due(episode=seclusion(start, start + 3 * H), reviews=[], now=start + 5 * H) == []


def test_eight_hours_in_a_row_triggers_independent_mdt():
    start = at(2025, 6, 2, 10, 0)
    just_before = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], now=start + 8 * H - M))
    at_eight = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], now=start + 8 * H))
    assert "independent_mdt" not in just_before
    assert at_eight["independent_mdt"].due_at == start + 8 * H
    assert at_eight["independent_mdt"].overdue is False


def test_back_to_back_episodes_count_as_in_a_row():
    start = at(2025, 6, 2, 10, 0)
    periods = [Period(start, start + 5 * H), Period(start + 5 * H, None)]
    assert continuous_trigger(periods, rules=DEFAULT_RULES, now=start + 9 * H) == start + 8 * H


def test_a_gap_breaks_the_run():
    start = at(2025, 6, 2, 10, 0)
    periods = [Period(start, start + 5 * H), Period(start + 5 * H + M, None)]
    assert continuous_trigger(periods, rules=DEFAULT_RULES, now=start + 9 * H) is None


def test_twelve_hours_within_forty_eight_triggers_across_episodes():
    # 5 h, then 4 h the next day, then a third episode: 12 h in total is reached 3 hours into the third.
    day1 = at(2025, 6, 2, 10, 0)
    periods = [
        Period(day1, day1 + 5 * H),
        Period(day1 + 20 * H, day1 + 24 * H),
        Period(day1 + 30 * H, None),
    ]
    assert total_in_window_trigger(periods, rules=DEFAULT_RULES, now=day1 + 33 * H - M) is None
    assert total_in_window_trigger(periods, rules=DEFAULT_RULES, now=day1 + 40 * H) == day1 + 33 * H
    episode = seclusion(day1 + 30 * H)
    due = due_by_kind(
        reviews_due(episode=episode, reviews=[], now=day1 + 33 * H + M, seclusion_periods=periods[:2])
    )
    assert due["independent_mdt"].due_at == day1 + 33 * H
    assert due["independent_mdt"].overdue and due["independent_mdt"].minutes_overdue == 1


def test_time_older_than_the_window_drops_out():
    # 7 h, then a second episode from 48 h after the first began: the first leaves the window as fast as
    # the second fills it, so the total holds at 7 h until the second alone reaches 12 h (at 60 h).
    day1 = at(2025, 6, 2, 10, 0)
    periods = [Period(day1, day1 + 7 * H), Period(day1 + 48 * H, None)]
    assert total_in_window_trigger(periods, rules=DEFAULT_RULES, now=day1 + 59 * H) is None
    assert total_in_window_trigger(periods, rules=DEFAULT_RULES, now=day1 + 61 * H) == day1 + 60 * H


def test_total_holds_just_under_the_limit_while_old_time_leaves():
    # 7 h, then from 44 h: 11 h by 48 h, held at 11 h until 55 h, then 12 h at 56 h.
    day1 = at(2025, 6, 2, 10, 0)
    periods = [Period(day1, day1 + 7 * H), Period(day1 + 44 * H, None)]
    assert total_in_window_trigger(periods, rules=DEFAULT_RULES, now=day1 + 55 * H + 59 * M) is None
    assert total_in_window_trigger(periods, rules=DEFAULT_RULES, now=day1 + 57 * H) == day1 + 56 * H


def test_independent_mdt_reason_names_the_trigger():
    start = at(2025, 6, 2, 10, 0)
    when, why = independent_mdt_due(periods=[Period(start, None)], rules=DEFAULT_RULES, now=start + 9 * H)
    assert when == start + 8 * H
    assert why == "secluded 8 hours in a row"


def test_a_long_seclusion_long_ago_does_not_make_a_new_one_owe_an_independent_review():
    """A patient secluded 9 hours a year ago: a new one-hour seclusion owed an independent MDT review
    from the moment it began ("overdue" by a year on the pages) and counted it missed when it ended,
    because the trigger was the first 8 hours in a row ever, not one during this episode."""
    old = Period(at(2025, 1, 1, 8, 0), at(2025, 1, 1, 17, 0))
    start = at(2026, 1, 5, 8, 0)
    nursing = [ReviewFact("nursing", start + 50 * M)]
    due = due_by_kind(
        reviews_due(
            episode=seclusion(start, by_doctor=True), reviews=nursing, now=start + H, seclusion_periods=[old]
        )
    )
    assert "independent_mdt" not in due
    record = check_record(
        episode=seclusion(start, start + H, by_doctor=True),
        reviews=nursing,
        now=start + H,
        seclusion_periods=[old],
    )
    assert "independent_mdt" not in by_kind(record) and record.reviews_on_time
    assert independent_mdt_due(periods=[old], rules=DEFAULT_RULES, now=start + H, since=start) == (None, "")


def test_an_earlier_episode_still_counts_towards_twelve_hours_and_a_run_in_a_row():
    # 10 h ending 2 h before this one: 12 h within 48 is reached 2 hours into it, not at its start.
    start = at(2026, 1, 5, 8, 0)
    earlier = Period(start - 12 * H, start - 2 * H)
    when, why = independent_mdt_due(
        periods=[earlier, Period(start, None)], rules=DEFAULT_RULES, now=start + 3 * H, since=start
    )
    assert when == start + 2 * H and why == "secluded 12 hours within 48 hours"
    # back to back with 9 h before it: already 8 h in a row when it begins, so due at once
    before = Period(start - 9 * H, start)
    when, why = independent_mdt_due(
        periods=[before, Period(start, None)], rules=DEFAULT_RULES, now=start + H, since=start
    )
    assert when == start and why == "secluded 8 hours in a row"


def test_independent_mdt_done_clears_the_trigger():
    start = at(2025, 6, 2, 10, 0)
    reviews = [ReviewFact("independent_mdt", start + 8 * H + 30 * M)]
    due = due_by_kind(reviews_due(episode=seclusion(start), reviews=reviews, now=start + 9 * H))
    assert "independent_mdt" not in due


def test_lts_schedule_defaults():
    start = at(2025, 1, 6, 9, 0)
    episode = EpisodeFacts(kind="long_term_segregation", started_at=start, needs_icetr=True)
    due = due_by_kind(reviews_due(episode=episode, reviews=[], now=start))
    assert due["approved_clinician"].due_at == start + 24 * H
    assert due["mdt"].due_at == start + 7 * 24 * H
    # 91 days of real time crosses the March clock change: 09:00 GMT + 91 days is 10:00 BST.
    assert due["external_independent"].due_at == start.astimezone(dt.UTC) + 91 * 24 * H
    assert due["external_independent"].due_at.astimezone(LONDON) == at(2025, 4, 7, 10, 0)
    assert due["icetr"].due_at == due["external_independent"].due_at
    assert "medical" not in due and "nursing" not in due


def test_lts_without_learning_disability_or_autism_has_no_icetr():
    start = at(2025, 1, 6, 9, 0)
    episode = EpisodeFacts(kind="long_term_segregation", started_at=start)
    assert "icetr" not in due_by_kind(reviews_due(episode=episode, reviews=[], now=start))


def test_lts_daily_review_across_clock_change_is_24_real_hours():
    start = at(2025, 10, 25, 9, 0)  # BST
    episode = EpisodeFacts(kind="long_term_segregation", started_at=start)
    due = due_by_kind(reviews_due(episode=episode, reviews=[], now=start))
    assert due["approved_clinician"].due_at.astimezone(LONDON) == at(2025, 10, 26, 8, 0)  # GMT


def test_rules_are_configurable():
    start = at(2025, 6, 2, 10, 0)
    rules = Rules(seclusion_nursing_minutes=60, independent_mdt_continuous_minutes=240)
    due = due_by_kind(reviews_due(episode=seclusion(start), reviews=[], rules=rules, now=start + 5 * H))
    assert due["nursing"].due_at == start + H
    assert due["independent_mdt"].due_at == start + 4 * H


def test_rules_refuse_zero_intervals():
    with pytest.raises(ValueError, match="seclusion_nursing_minutes"):
        Rules(seclusion_nursing_minutes=0)


def test_observations_due_every_fifteen_minutes():
    start = at(2025, 6, 2, 10, 0)
    due = observation_due(episode=seclusion(start), observations=[start + 10 * M], now=start + 26 * M)
    assert due.due_at == start + 25 * M
    assert due.overdue and due.minutes_overdue == 1


def test_items_sorted_soonest_first():
    start = at(2025, 6, 2, 10, 0)
    items = reviews_due(episode=seclusion(start), reviews=[], now=start)
    assert [i.kind for i in items] == ["medical", "nursing", "mdt"]


def test_timeliness_lists_every_review_in_order():
    start = at(2025, 6, 2, 10, 0)
    reviews = [ReviewFact("nursing", start + 2 * H), ReviewFact("medical", start + 50 * M)]
    history = review_timeliness(episode=seclusion(start), reviews=reviews)
    assert [(t.kind, t.late) for t in history] == [("medical", False), ("nursing", False)]


# --- missed checks: what an episode's record carries after it ends (issue 13, item 4) ---------------


def by_kind(record) -> dict:
    return {c.kind: (c.on_time, c.late, c.missed) for c in record.reviews}


def test_an_episode_ended_with_no_reviews_and_no_observations_carries_every_one_missed():
    """Issue 13: an episode ended with zero reviews and zero observations was flagged nowhere. Ten hours
    of seclusion not started by a doctor: medical due at 1 h, 5 h and 9 h; nursing at 2, 4, 6 and 8 h
    (10 h is the end: not yet due); observations every 15 minutes, 39 before the end."""
    start = at(2026, 3, 2, 8, 0)
    record = check_record(episode=seclusion(start, start + 10 * H), reviews=[], now=start + 30 * H)
    assert by_kind(record) == {
        "medical": (0, 0, 3),
        "nursing": (0, 0, 4),
        "mdt": (0, 0, 0),
        "independent_mdt": (0, 0, 1),
    }
    assert record.reviews_missed == 8 and not record.reviews_on_time
    assert record.observations_missed == 39 and record.anything_missed
    # and the independent MDT review that fell due at 8 hours in a row was not done
    assert by_kind(record)["independent_mdt"] == (0, 0, 1)
    assert record.observations.on_time == 0


def test_reviews_done_on_time_leave_nothing_missed():
    start = at(2026, 3, 2, 8, 0)
    reviews = [
        ReviewFact("medical", start + 50 * M),
        ReviewFact("nursing", start + 2 * H),
        ReviewFact("medical", start + 4 * H),
        ReviewFact("nursing", start + 4 * H),
    ]
    observations = [start + k * 15 * M for k in range(1, 20)]
    record = check_record(
        episode=seclusion(start, start + 5 * H), reviews=reviews, observations=observations, now=start + 6 * H
    )
    assert by_kind(record) == {"medical": (2, 0, 0), "nursing": (2, 0, 0), "mdt": (0, 0, 0)}
    assert record.reviews_on_time and not record.anything_missed


def test_a_late_review_is_late_once_and_the_intervals_it_skipped_are_missed():
    start = at(2026, 3, 2, 8, 0)
    # nursing due at 2 h; done at 7 h: late for the 2 h one, and the 4 h and 6 h ones were missed
    record = check_record(
        episode=seclusion(start, start + 8 * H, by_doctor=True),
        reviews=[ReviewFact("nursing", start + 7 * H), ReviewFact("medical", start + 4 * H)],
        now=start + 9 * H,
    )
    assert by_kind(record)["nursing"] == (0, 1, 2)
    assert by_kind(record)["medical"] == (1, 0, 0)


def test_an_episode_under_way_counts_the_overdue_check_as_overdue_not_missed():
    start = at(2026, 3, 2, 8, 0)
    now = start + 5 * H + 30 * M  # nursing due at 2 h and 4 h: one missed, the latest overdue now
    record = check_record(episode=seclusion(start), reviews=[ReviewFact("medical", start + 30 * M)], now=now)
    assert by_kind(record)["nursing"] == (0, 0, 1)
    assert by_kind(record)["medical"] == (1, 0, 0)  # next due 4.5 h: overdue now, not missed


def test_an_independent_mdt_review_not_done_before_the_end_is_missed():
    start = at(2026, 3, 2, 8, 0)
    record = check_record(episode=seclusion(start, start + 9 * H), reviews=[], now=start + 10 * H)
    assert by_kind(record)["independent_mdt"] == (0, 0, 1)
