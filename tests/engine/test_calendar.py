"""Specification of the Norwegian working-day calendar (engine.calendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import (
    OSLO,
    UNITS,
    add_period,
    deadline_moment,
    holiday_name,
    is_working_day,
    next_working_day,
    parse_moment,
    previous_working_day,
    to_oslo,
    utc,
)

# --- helpers independent of the module under test ----------------------------------------


def expected_holidays(year: int) -> set[date]:
    """The twelve Norwegian public holidays, derived directly from the Easter date."""
    e = easter(year)
    return {
        date(year, 1, 1),
        e - timedelta(days=3),  # skjærtorsdag
        e - timedelta(days=2),  # langfredag
        e,  # 1. påskedag
        e + timedelta(days=1),  # 2. påskedag
        date(year, 5, 1),
        date(year, 5, 17),
        e + timedelta(days=39),  # Kristi himmelfartsdag
        e + timedelta(days=49),  # 1. pinsedag
        e + timedelta(days=50),  # 2. pinsedag
        date(year, 12, 25),
        date(year, 12, 26),
    }


def reference_is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in expected_holidays(d.year)


def working_days_in(after: date, up_to: date) -> int:
    """Number of working days in the half-open interval (after, up_to]."""
    count = 0
    d = after + timedelta(days=1)
    while d <= up_to:
        count += reference_is_working_day(d)
        d += timedelta(days=1)
    return count


# --- holidays -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 4, 17), "Skjærtorsdag"),
        (date(2025, 4, 18), "Langfredag"),
        (date(2025, 4, 21), "Andre påskedag"),
        (date(2025, 5, 29), "Kristi himmelfartsdag"),
        (date(2025, 6, 9), "Andre pinsedag"),
        (date(2026, 4, 2), "Skjærtorsdag"),
        (date(2026, 4, 3), "Langfredag"),
        (date(2026, 4, 6), "Andre påskedag"),
        (date(2026, 5, 14), "Kristi himmelfartsdag"),
        (date(2026, 5, 25), "Andre pinsedag"),
    ],
)
def test_easter_dependent_holidays_are_not_working_days(day: date, name: str) -> None:
    assert not is_working_day(day)
    assert holiday_name(day) == name


def test_easter_sunday_is_named_for_2025_and_2026() -> None:
    assert holiday_name(date(2025, 4, 20)) == "Første påskedag"
    assert holiday_name(date(2026, 4, 5)) == "Første påskedag"


@pytest.mark.parametrize("day", [date(2024, 5, 17), date(2028, 5, 17)])
def test_17_may_on_a_weekday_is_not_a_working_day(day: date) -> None:
    assert day.weekday() < 5
    assert not is_working_day(day)
    assert holiday_name(day) == "Grunnlovsdag"


def test_17_may_coinciding_with_2_pinsedag_in_2027_names_both_holidays() -> None:
    day = date(2027, 5, 17)
    assert not is_working_day(day)
    name = holiday_name(day)
    assert name is not None
    assert set(name.split("; ")) == {"Andre pinsedag", "Grunnlovsdag"}


@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 5, 1), date(2026, 12, 25)])
def test_fixed_holidays_on_weekdays_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [date(2025, 12, 24), date(2025, 12, 31), date(2026, 4, 1)])
def test_christmas_eve_new_years_eve_and_the_day_before_easter_are_working_days(
    day: date,
) -> None:
    assert is_working_day(day)
    assert holiday_name(day) is None


def test_saturdays_and_ordinary_sundays_are_not_working_days_but_have_no_holiday_name() -> None:
    saturday, sunday = date(2026, 3, 7), date(2026, 3, 8)
    assert not is_working_day(saturday)
    assert not is_working_day(sunday)
    assert holiday_name(sunday) is None


@pytest.mark.parametrize("year", range(2020, 2036))
def test_exactly_the_twelve_statutory_holidays_each_year(year: int) -> None:
    named = {
        d
        for d in (date(year, 1, 1) + timedelta(days=i) for i in range(366))
        if d.year == year and holiday_name(d) is not None
    }
    assert named == expected_holidays(year)


def test_next_and_previous_working_day_around_easter_2026() -> None:
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert previous_working_day(date(2026, 4, 6)) == date(2026, 4, 1)
    assert next_working_day(date(2026, 4, 1)) == date(2026, 4, 1)
    assert previous_working_day(date(2026, 4, 7)) == date(2026, 4, 7)


def test_datetimes_are_refused_where_dates_are_expected() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 4, 1, 12, tzinfo=UTC))


# --- add_period -----------------------------------------------------------------------------


def test_days_deadline_landing_on_saturday_moves_to_monday() -> None:
    assert date(2026, 3, 7).weekday() == 5
    assert add_period(date(2026, 3, 2), 5, "days") == date(2026, 3, 9)


def test_days_deadline_landing_on_langfredag_moves_past_easter_monday_to_tuesday() -> None:
    assert add_period(date(2026, 3, 27), 7, "days") == date(2026, 4, 7)


def test_days_deadline_on_a_working_day_is_unchanged_and_start_day_is_not_counted() -> None:
    assert add_period(date(2026, 3, 2), 1, "days") == date(2026, 3, 3)
    assert add_period(date(2026, 3, 2), 3, "days") == date(2026, 3, 5)


def test_zero_days_is_the_date_itself_rolled_forward() -> None:
    assert add_period(date(2026, 3, 4), 0, "days") == date(2026, 3, 4)
    assert add_period(date(2026, 4, 3), 0, "days") == date(2026, 4, 7)


def test_working_days_skip_weekends_and_easter_holidays() -> None:
    # Wednesday 1 April 2026; 2, 3 and 6 April are holidays, 4-5 April the weekend.
    assert add_period(date(2026, 4, 1), 5, "working_days") == date(2026, 4, 13)
    assert add_period(date(2026, 4, 1), 1, "working_days") == date(2026, 4, 7)


def test_working_days_from_a_friday_skip_the_weekend() -> None:
    assert add_period(date(2026, 3, 6), 1, "working_days") == date(2026, 3, 9)
    assert add_period(date(2026, 3, 6), 5, "working_days") == date(2026, 3, 13)


def test_negative_working_days_count_backwards_over_holidays() -> None:
    assert add_period(date(2026, 4, 7), -1, "working_days") == date(2026, 4, 1)


def test_weeks_end_on_the_same_weekday() -> None:
    assert add_period(date(2026, 3, 4), 3, "weeks") == date(2026, 3, 25)


def test_three_weeks_ending_on_2_pinsedag_moves_to_tuesday() -> None:
    assert add_period(date(2026, 5, 4), 3, "weeks") == date(2026, 5, 26)


def test_month_from_31_january_ends_on_last_day_of_february() -> None:
    assert add_period(date(2025, 1, 31), 1, "months") == date(2025, 2, 28)
    assert add_period(date(2028, 1, 31), 1, "months") == date(2028, 2, 29)


def test_month_from_31_january_2026_ends_28_february_a_saturday_so_moves_to_monday() -> None:
    assert add_period(date(2026, 1, 31), 1, "months") == date(2026, 3, 2)


def test_months_end_on_the_same_numbered_day() -> None:
    assert add_period(date(2026, 1, 15), 2, "months") == date(2026, 3, 16)  # 15 Mar is Sunday
    assert add_period(date(2026, 6, 10), 1, "months") == date(2026, 7, 10)


def test_negative_days_landing_on_a_sunday_move_back_to_friday() -> None:
    # Notice one week plus one day before a meeting on Monday 23 March 2026.
    assert date(2026, 3, 15).weekday() == 6
    assert add_period(date(2026, 3, 23), -8, "days") == date(2026, 3, 13)


def test_negative_days_landing_on_2_paskedag_move_back_before_easter() -> None:
    assert add_period(date(2026, 4, 13), -7, "days") == date(2026, 4, 1)


def test_negative_weeks_and_months_roll_backwards() -> None:
    assert add_period(date(2026, 3, 22), -1, "weeks") == date(2026, 3, 13)
    assert add_period(date(2026, 3, 31), -1, "months") == date(2026, 2, 27)


def test_unknown_unit_raises_value_error_naming_unit_and_allowed_units() -> None:
    with pytest.raises(ValueError, match="fortnights") as excinfo:
        add_period(date(2026, 3, 2), 1, "fortnights")
    for unit in UNITS:
        assert unit in str(excinfo.value)


def test_non_integer_amount_is_refused() -> None:
    with pytest.raises(TypeError):
        add_period(date(2026, 3, 2), 1.5, "days")  # type: ignore[arg-type]


# --- time zones ----------------------------------------------------------------------------


def test_deadline_moment_is_midnight_oslo_in_winter_and_summer() -> None:
    assert deadline_moment(date(2026, 1, 15)) == datetime(2026, 1, 15, 23, tzinfo=UTC)
    assert deadline_moment(date(2026, 7, 15)) == datetime(2026, 7, 15, 22, tzinfo=UTC)


def test_deadline_moment_across_spring_dst_change_2026_03_29() -> None:
    # Clocks go from 02:00 CET to 03:00 CEST on 29 March 2026.
    before = deadline_moment(date(2026, 3, 28))
    on = deadline_moment(date(2026, 3, 29))
    assert before == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert on == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert on - before == timedelta(hours=23)
    assert to_oslo(on) == datetime(2026, 3, 30, 0, tzinfo=OSLO)
    assert (to_oslo(on).hour, to_oslo(on).minute) == (0, 0)


def test_deadline_moment_across_autumn_dst_change_2026_10_25() -> None:
    # Clocks go from 03:00 CEST back to 02:00 CET on 25 October 2026.
    before = deadline_moment(date(2026, 10, 24))
    on = deadline_moment(date(2026, 10, 25))
    assert before == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert on == datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert on - before == timedelta(hours=25)
    assert (to_oslo(on).date(), to_oslo(on).hour) == (date(2026, 10, 26), 0)


def test_deadline_moment_is_in_utc() -> None:
    assert deadline_moment(date(2026, 5, 1)).utcoffset() == timedelta(0)


def test_to_oslo_and_utc_convert_aware_datetimes() -> None:
    moment = datetime(2026, 6, 1, 10, tzinfo=UTC)
    oslo = to_oslo(moment)
    assert oslo.hour == 12 and oslo.utcoffset() == timedelta(hours=2)
    assert utc(oslo) == moment and utc(oslo).hour == 10
    assert utc(datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=1)))).hour == 8


@pytest.mark.parametrize("convert", [to_oslo, utc])
def test_naive_datetimes_are_refused(convert) -> None:
    with pytest.raises(ValueError, match="naive"):
        convert(datetime(2026, 6, 1, 10))


# --- properties ----------------------------------------------------------------------------

start_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=400, deadline=None, database=None)
@given(
    start=start_dates,
    amount=st.integers(min_value=0, max_value=60),
    unit=st.sampled_from(["days", "weeks", "working_days"]),
)
def test_any_forward_period_ends_on_a_working_day_not_before_start(
    start: date, amount: int, unit: str
) -> None:
    result = add_period(start, amount, unit)
    assert reference_is_working_day(result)
    assert result >= start
    if unit == "working_days" and amount >= 1:
        assert result > start
        assert working_days_in(start, result) == amount
    elif unit in ("days", "weeks"):
        raw = start + timedelta(days=amount * (7 if unit == "weeks" else 1))
        assert result >= raw
        # Rolled to the *first* working day on or after the raw end date.
        assert working_days_in(raw - timedelta(days=1), result - timedelta(days=1)) == 0


@settings(max_examples=300, deadline=None, database=None)
@given(
    start=start_dates,
    amount=st.integers(min_value=1, max_value=60),
    unit=st.sampled_from(["days", "weeks", "working_days", "months"]),
)
def test_any_backward_period_ends_on_a_working_day_before_start(
    start: date, amount: int, unit: str
) -> None:
    result = add_period(start, -amount, unit)
    assert reference_is_working_day(result)
    assert result < start
    if unit == "working_days":
        assert working_days_in(result - timedelta(days=1), start - timedelta(days=1)) == amount


@settings(max_examples=200, deadline=None, database=None)
@given(start=start_dates, amount=st.integers(min_value=0, max_value=24))
def test_any_month_period_ends_on_the_first_working_day_from_the_clamped_date(
    start: date, amount: int
) -> None:
    result = add_period(start, amount, "months")
    assert reference_is_working_day(result)
    month_index = start.month - 1 + amount
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = start.day
    while True:
        try:
            raw = date(year, month, day)
            break
        except ValueError:
            day -= 1
    assert result == next_working_day(raw)
    assert working_days_in(raw - timedelta(days=1), result - timedelta(days=1)) == 0


@settings(max_examples=200, deadline=None, database=None)
@given(day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_is_working_day_agrees_with_the_easter_based_reference(day: date) -> None:
    assert is_working_day(day) == reference_is_working_day(day)


def test_a_moment_without_an_offset_is_read_as_oslo_wall_clock_in_winter_and_summer() -> None:
    assert parse_moment("2027-01-04T09:00") == datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    assert parse_moment("2027-06-01T09:00") == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    assert parse_moment("2027-06-01T09:00+00:00") == datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_moment("1. juni 2027")
