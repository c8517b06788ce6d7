from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from congress.models import Office
from outreach import office_hours


def test_federal_holidays_2026_with_observed_days():
    assert office_hours.federal_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 1, 19),  # MLK Day, third Monday
        date(2026, 2, 16),
        date(2026, 5, 25),  # last Monday of May
        date(2026, 6, 19),
        date(2026, 7, 3),  # July 4 is a Saturday: observed Friday
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),  # fourth Thursday
        date(2026, 12, 25),
    }


def test_new_years_day_on_a_saturday_is_observed_the_friday_before_in_the_old_year():
    assert date(2027, 12, 31) in office_hours.federal_holidays(2027)
    assert date(2027, 12, 24) in office_hours.federal_holidays(2027)  # Christmas on a Saturday
    assert date(2028, 1, 1) not in office_hours.federal_holidays(2028)


def test_inauguration_day_is_a_holiday_in_inauguration_years_only():
    assert date(2025, 1, 20) in office_hours.federal_holidays(2025)
    assert date(2026, 1, 20) not in office_hours.federal_holidays(2026)
    assert date(2033, 1, 20) in office_hours.federal_holidays(2033)


@pytest.mark.parametrize(
    ("utc", "open_"),
    [
        (datetime(2026, 11, 18, 14, 0, tzinfo=UTC), True),  # Wed 9:00 EST
        (datetime(2026, 11, 18, 13, 59, tzinfo=UTC), False),  # 8:59
        (datetime(2026, 11, 18, 21, 59, tzinfo=UTC), True),  # 16:59
        (datetime(2026, 11, 18, 22, 0, tzinfo=UTC), False),  # 17:00 closes
        (datetime(2026, 11, 21, 15, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), False),  # Thanksgiving
        (datetime(2026, 7, 3, 15, 0, tzinfo=UTC), False),  # observed Independence Day
        (datetime(2026, 7, 6, 13, 0, tzinfo=UTC), True),  # 9:00 EDT in summer
    ],
)
def test_dc_hours_are_weekdays_nine_to_five_eastern(settings, utc, open_):
    settings.CALL_OFFICE_HOURS = True
    assert office_hours.dc_open(utc) is open_


def test_office_hours_off_opens_every_office(settings):
    settings.CALL_OFFICE_HOURS = False
    assert office_hours.dc_open(datetime(2026, 11, 21, 3, 0, tzinfo=UTC))


def test_district_office_time_zone_from_zip_then_coordinates_then_state():
    # Pensacola, FL is Central although Florida is mostly Eastern.
    assert office_hours.office_timezone(state="FL", zip_code="32501") == ZoneInfo("America/Chicago")
    assert office_hours.office_timezone(state="FL", latitude=30.42, longitude=-87.22) == ZoneInfo("America/Chicago")
    assert office_hours.office_timezone(state="FL") == ZoneInfo("America/New_York")
    assert office_hours.office_timezone(state="TX", latitude=31.76, longitude=-106.49) == ZoneInfo("America/Denver")
    assert office_hours.office_timezone(state="HI") == ZoneInfo("Pacific/Honolulu")


def test_district_office_keeps_local_hours(settings):
    settings.CALL_OFFICE_HOURS = True
    office = Office(state="CA", zip="94103", latitude=37.78, longitude=-122.41)
    wednesday_1630_pacific = datetime(2026, 11, 19, 0, 30, tzinfo=UTC)
    assert office_hours.district_office_open(office, wednesday_1630_pacific)
    assert not office_hours.dc_open(wednesday_1630_pacific)
    assert not office_hours.district_office_open(office, datetime(2026, 11, 19, 1, 30, tzinfo=UTC))


def test_zip_info_carries_the_centroid_and_time_zone_office_hours_use():
    from congress import usps
    from outreach.office_hours import office_timezone

    info = usps.zip_info("05401")
    assert info.timezone == "America/New_York"
    assert round(info.lat, 1) == 44.5 and round(info.lon, 1) == -73.2
    # A Mountain-time ZIP in a state whose main zone is Central.
    assert office_timezone(state="TX", zip_code="79901").key == "America/Denver"
    # No ZIP: the nearest ZIP centroid in the state decides (El Paso again).
    assert office_timezone(state="TX", latitude=31.76, longitude=-106.49).key == "America/Denver"
