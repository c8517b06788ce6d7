"""The lookup through a simulated turnover: roster and crosswalk on the 119th, then a 120th roster on the
119th's lines (the weeks before a new crosswalk is published), then both on the 120th. In no phase is a
House member certain who does not represent every address of the ZIP; senators stay certain."""

import pytest
from django.core.management import call_command

from congress import selectors, usps
from congress.models import DataLoad
from congress.services import congress_data_sync
from tests.congress import turnover
from tests.fakes.census import match_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_congress_snapshots")]
URL = "/api/v1/representatives/"
ADDRESS = "2460 Mission St, San Francisco, CA 94110"


@pytest.fixture
def roster_120(tmp_path):
    congress_data_sync(source=str(turnover.build(tmp_path / "r120", roster="120", lines="119")))
    return tmp_path


@pytest.fixture
def both_120(roster_120, tmp_path):
    congress_data_sync(source=str(turnover.build(tmp_path / "b120", roster="120", lines="120")), crosswalk_congress=120)


def house(body):
    return [p for p in body["legislators"] if p["chamber"] == "house"]


def senators(body):
    return sorted(p["bioguide_id"] for p in body["legislators"] if p["chamber"] == "senate")


def test_each_load_records_the_roster_and_the_crosswalk_congress_apart(roster_120):
    load = DataLoad.objects.latest()
    assert (load.congress, load.crosswalk_congress, load.crosswalk_congress_source) == (120, 119, "known")


def test_a_new_roster_on_old_lines_names_no_house_member_from_a_zip_in_a_multi_seat_state(client, roster_120):
    body = client.get(URL, {"zip": "94110"}).json()
    assert (body["congress"], body["lines_congress"]) == (120, 119)
    assert body["state"] == "CA" and body["district"] is None and body["needs_address"] is True
    assert house(body) == []
    assert senators(body) == sorted(["S001150", turnover.NEW_SENATOR])  # the new senator, certain
    assert {p["state"] for p in body["candidates"]} == {"CA"}
    # The state's whole delegation: 52 seats, CA-14 vacant in this data.
    assert len(body["candidates"]) == 51 and body["vacancies"] == [{"chamber": "house", "state": "CA", "district": 14}]


def test_a_new_roster_on_old_lines_keeps_single_seat_states_certain(client, roster_120):
    for zip_code, state in (("05401", "VT"), ("20001", "DC"), ("00901", "PR")):
        body = client.get(URL, {"zip": zip_code}).json()
        assert body["state"] == state and body["needs_address"] is False and len(house(body)) == 1


def test_states_declared_unchanged_stay_certain_from_a_zip(client, settings, roster_120):
    settings.CONGRESS_LINES_UNCHANGED = {(119, 120): frozenset({"IL"})}
    selectors._current["snapshot"] = None
    body = client.get(URL, {"zip": "60606"}).json()  # wholly in IL-7, whose member left with no successor
    assert (body["state"], body["district"], body["needs_address"]) == ("IL", 7, False)
    assert house(body) == [] and body["vacancies"] == [{"chamber": "house", "state": "IL", "district": 7}]
    body = client.get(URL, {"zip": "60473"}).json()
    assert body["needs_address"] is False and len(house(body)) == 1
    ca = client.get(URL, {"zip": "94110"}).json()
    assert house(ca) == [] and ca["needs_address"] is True


def test_no_zip_is_certain_and_wrong_while_the_crosswalk_lags(roster_120, settings):
    """Every ZIP of the crosswalk: a certain House member must hold the one seat the ZIP lies in on the
    120th's lines."""
    settings.CONGRESS_SNAPSHOT_TTL = 3600  # one snapshot for the 33,000 lookups, not a query each
    selectors._current["snapshot"] = None  # built from the load above, not kept from an earlier test
    truth = turnover.truth_120()
    certain = 0
    for zcta in sorted(truth):
        if usps.zip_info(zcta) is None:
            continue
        lookup = selectors.zip_lookup(zcta)
        member = lookup.representative
        if member is None:
            continue
        certain += 1
        assert truth[zcta] == {(member.state, member.district)}, zcta
    assert certain > 100  # the single-seat states and territories stay certain


def test_after_the_new_crosswalk_zips_name_the_new_lines_members(client, both_120):
    body = client.get(URL, {"zip": turnover.MOVED_ZIP[0]}).json()
    assert (body["congress"], body["lines_congress"]) == (120, 120)
    assert body["district"] == 12 and [p["bioguide_id"] for p in house(body)] == ["S001231"]
    truth = turnover.truth_120()
    tx_zip = next(z for z, seats in truth.items() if seats == {("TX", 9)} and z == turnover.tx7_only_zip(
        turnover.crosswalk_rows()
    ))  # fmt: skip
    tx = client.get(URL, {"zip": tx_zip}).json()
    assert [p["bioguide_id"] for p in house(tx)] == ["F000468"]  # Fletcher moved to TX-9


def test_no_zip_is_certain_and_wrong_after_the_new_crosswalk(both_120, settings):
    settings.CONGRESS_SNAPSHOT_TTL = 3600  # one snapshot for the 33,000 lookups, not a query each
    selectors._current["snapshot"] = None  # built from the load above, not kept from an earlier test
    truth = turnover.truth_120()
    for zcta in sorted(truth):
        if usps.zip_info(zcta) is None:
            continue
        member = selectors.zip_lookup(zcta).representative
        if member is not None:
            assert truth[zcta] == {(member.state, member.district)}, zcta


def test_a_changed_crosswalk_nobody_vouched_for_is_not_loaded(tmp_path, roster_120, capsys):
    call_command("sync_congress", source=str(turnover.build(tmp_path / "x", roster="120", lines="120")))
    out = capsys.readouterr().out
    load = DataLoad.objects.latest()
    assert load.crosswalk_congress == 119 and load.report["crosswalk"]["loaded"] is False
    assert "crosswalk: NOT loaded" in out and "--crosswalk-congress" in out
    assert selectors.zip_lookup("94110").representative is None  # still the old lines: still uncertain


def test_cross_state_zips_are_never_certain_in_any_phase(client, both_120):
    body = client.get(URL, {"zip": "02861"}).json()
    assert body["state"] is None and body["legislators"] == [] and body["needs_address"] is True
    assert {p["state"] for p in body["candidates"]} == {"MA", "RI"}


@pytest.mark.parametrize(
    "layers",
    [[(120, "12")], [(119, "11"), (120, "12")], [(120, "12"), (119, "11")]],
    ids=["120th only", "119th then 120th", "120th then 119th"],
)
def test_an_address_takes_the_layer_of_the_rosters_congress(client, fake_census, roster_120, layers):
    fake_census.add(ADDRESS, match_payload(state="CA", state_fips="06", district="", zip="94110", layers=layers))
    body = client.get(URL, {"address": ADDRESS, "zip": "94110"}).json()
    assert body["accuracy"] == "address" and body["lines_congress"] == 120
    assert body["district"] == 12 and [p["bioguide_id"] for p in house(body)] == ["S001231"]
    assert fake_census.requests[0][1]["vintage"] == "Current_Current"  # follows the loaded roster


def test_an_address_answered_only_on_old_lines_asks_the_other_vintage_once(client, fake_census, roster_120):
    old = match_payload(state="CA", state_fips="06", district="11", zip="94110", congress=119)
    new = match_payload(state="CA", state_fips="06", district="12", zip="94110", congress=120)
    fake_census.add(ADDRESS, old, vintage="Current_Current")
    fake_census.add(ADDRESS, new, vintage="ACS2025_Current")
    body = client.get(URL, {"address": ADDRESS}).json()
    assert body["district"] == 12 and body["accuracy"] == "address"
    assert [q["vintage"] for _p, q in fake_census.requests] == ["Current_Current", "ACS2025_Current"]


def test_an_address_with_no_layer_of_the_rosters_congress_falls_back_to_an_uncertain_zip(
    client, fake_census, roster_120
):
    fake_census.add(ADDRESS, match_payload(state="CA", state_fips="06", district="11", zip="94110", congress=119))
    body = client.get(URL, {"address": ADDRESS, "zip": "94110"}).json()
    assert body["accuracy"] == "zip" and body["needs_address"] is True and house(body) == []
    assert len(senators(body)) == 2
    assert len(fake_census.requests) == 2  # the other vintage was tried once, no more


def test_a_fallback_during_an_outage_keeps_no_house_member_the_zip_cannot_name(client, fake_census, roster_120):
    fake_census.status = 503
    body = client.get(URL, {"address": ADDRESS, "zip": "94110"}).json()
    assert body["accuracy"] == "zip" and house(body) == [] and body["needs_address"] is True
    vt = client.get(URL, {"address": "1 Main St, Burlington, VT 05401", "zip": "05401"}).json()
    assert len(house(vt)) == 1  # a ZIP that alone is certain keeps its member


def test_a_pinned_vintage_is_asked_first(client, fake_census, settings, roster_120):
    settings.CENSUS_GEOCODER_VINTAGE = "ACS2025_Current"
    fake_census.add(ADDRESS, match_payload(state="CA", state_fips="06", district="12", zip="94110", congress=120))
    client.get(URL, {"address": ADDRESS})
    assert fake_census.requests[0][1]["vintage"] == "ACS2025_Current"


def test_an_answer_without_the_rosters_layer_is_not_kept_as_long_as_a_full_one(
    client, fake_census, roster_120, monkeypatch
):
    from congress import geocoder

    monkeypatch.setattr(geocoder, "LAYERLESS_CACHE_SECONDS", 0)  # "an hour" shrunk to nothing for the test
    fake_census.add(ADDRESS, match_payload(state="CA", state_fips="06", district="11", zip="94110", congress=119))
    assert client.get(URL, {"address": ADDRESS}).json()["accuracy"] == "zip"
    # The Census Bureau publishes the 120th's layer: the next lookup sees it instead of a stale answer.
    fake_census.add(ADDRESS, match_payload(state="CA", state_fips="06", district="12", zip="94110", congress=120))
    body = client.get(URL, {"address": ADDRESS}).json()
    assert body["accuracy"] == "address" and body["district"] == 12
    # A full answer is kept: asking again reaches no geocoder.
    asked = len(fake_census.requests)
    client.get(URL, {"address": ADDRESS})
    assert len(fake_census.requests) == asked
