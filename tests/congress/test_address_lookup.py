"""Address lookups through a fake Census Geocoder running as a real HTTP server on loopback."""

import pytest

from tests.fakes.census import match_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/representatives/"
ADDRESS = "2000 S State St, Chicago, IL 60616"


def test_address_resolves_a_split_zip_to_one_district(client, fake_census):
    fake_census.add(ADDRESS, match_payload(state="IL", state_fips="17", district="07", zip="60616", address=ADDRESS))
    body = client.get(URL, {"address": ADDRESS, "zip": "60616"}).json()
    assert body["accuracy"] == "address" and body["needs_address"] is False
    assert body["state"] == "IL" and body["district"] == 7
    assert [p["district"] for p in body["legislators"] if p["chamber"] == "house"] == [7]
    assert body["candidates"] == []
    path, query = fake_census.requests[0]
    assert path == "/geographies/onelineaddress"
    assert query["benchmark"] == "Public_AR_Current" and query["vintage"] == "ACS2025_Current"


def test_the_district_layer_is_found_by_pattern_whatever_the_congress_number(client, fake_census, settings):
    # A layer for another Congress than the loaded data cannot name our members: fall back to the ZIP.
    payload = match_payload(state="IL", state_fips="17", district="07", zip="60616", congress=120)
    from congress import geocoder

    match = geocoder.parse_match(payload)
    assert match.layers == ((120, 7),)  # found by pattern, not by a fixed name
    fake_census.add(ADDRESS, payload)
    body = client.get(URL, {"address": ADDRESS, "zip": "60616"}).json()
    assert body["accuracy"] == "zip" and body["needs_address"] is True and body["district"] is None
    # The vintage that lacked the 119th's layer was asked, then the other known vintage once.
    assert [q["vintage"] for _path, q in fake_census.requests] == ["ACS2025_Current", "Current_Current"]


def test_dc_delegate_district_98_maps_to_district_zero(client, fake_census):
    addr = "1600 Pennsylvania Ave NW, Washington, DC 20500"
    fake_census.add(addr, match_payload(state="DC", state_fips="11", district="98", zip="20500"))
    body = client.get(URL, {"address": addr}).json()
    assert body["district"] == 0 and body["legislators"][0]["title"] == "Delegate"


def test_at_large_district_00_maps_to_zero(client, fake_census):
    addr = "1 Main St, Burlington, VT 05401"
    fake_census.add(addr, match_payload(state="VT", state_fips="50", district="00", zip="05401"))
    body = client.get(URL, {"address": addr}).json()
    assert body["district"] == 0 and body["accuracy"] == "address" and len(body["legislators"]) == 3


def test_no_match_falls_back_to_the_zip_and_still_asks_for_an_address(client, fake_census):
    body = client.get(URL, {"address": "999 Nowhere Rd, Chicago IL", "zip": "60616"}).json()
    assert body["accuracy"] == "zip" and body["needs_address"] is True
    assert len(body["candidates"]) == 3


def test_no_match_reads_the_zip_from_the_end_of_the_address(client, fake_census):
    body = client.get(URL, {"address": "999 Nowhere Rd, Burlington VT 05401"}).json()
    assert body["state"] == "VT" and body["accuracy"] == "zip" and body["needs_address"] is True
    assert body["query"] == {"zip": None, "address": "999 Nowhere Rd, Burlington VT 05401"}


def test_no_match_without_any_zip_is_400_on_the_address_field(client, fake_census):
    response = client.get(URL, {"address": "999 Nowhere Rd, Chicago IL"})
    assert response.status_code == 400 and "address" in response.json()["errors"]


def test_geocoder_5xx_falls_back_to_the_zip(client, fake_census):
    fake_census.status = 503
    body = client.get(URL, {"address": ADDRESS, "zip": "60616"}).json()
    assert body["accuracy"] == "zip" and body["needs_address"] is True


def test_geocoder_5xx_without_a_zip_is_503_in_the_error_shape_not_500(client, fake_census):
    fake_census.status = 500
    response = client.get(URL, {"address": "2000 S State St, Chicago IL"})
    assert response.status_code == 503 and set(response.json()) == {"message", "errors"}


def test_geocoder_timeout_falls_back_to_the_zip(client, fake_census, settings):
    settings.CENSUS_GEOCODER_TIMEOUT = 0.2
    fake_census.delay = 1.0
    body = client.get(URL, {"address": ADDRESS, "zip": "60616"}).json()
    assert body["accuracy"] == "zip" and body["needs_address"] is True


def test_normalized_addresses_are_answered_from_the_cache(client, fake_census):
    fake_census.add(ADDRESS, match_payload(state="IL", state_fips="17", district="07", zip="60616"))
    client.get(URL, {"address": ADDRESS})
    client.get(URL, {"address": "  2000 s state st.,  CHICAGO, il 60616 "})
    assert len(fake_census.requests) == 1


def test_structured_address_uses_the_address_endpoint(fake_census):
    from congress import geocoder

    fake_census.add(
        "2000 S STATE ST|CHICAGO|IL|60616", match_payload(state="IL", state_fips="17", district="07", zip="60616")
    )
    match = geocoder.geocode(street="2000 S State St", city="Chicago", state="IL", zip="60616")
    assert match is not None and match.state == "IL" and match.district_for(119) == (True, 7)
    assert fake_census.requests[0][0] == "/geographies/address"


def test_address_lookups_are_rate_limited_per_ip_but_zip_lookups_are_not(client, fake_census, settings):
    from django.core.cache import cache

    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "lookup_address_ip": "2/minute"}
    cache.clear()
    statuses = [client.get(URL, {"address": f"{n} Main St, Burlington VT 05401"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(URL, {"address": "4 Main St, Burlington VT 05401"})["Retry-After"]
    assert all(client.get(URL, {"zip": "05401"}).status_code == 200 for _ in range(5))
    assert len(fake_census.requests) == 2
