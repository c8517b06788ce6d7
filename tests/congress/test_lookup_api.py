"""The "who represents me" contract, one case per quirk of the real data, through the HTTP API."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/representatives/"


def get(client, **params):
    response = client.get(URL, params)
    assert response["Content-Type"].startswith("application/json")
    return response


def names(people):
    return sorted(p["name"] for p in people)


def test_at_large_state_is_certain_with_both_senators_and_the_member(client):
    body = get(client, zip="05401").json()
    assert body["state"] == "VT" and body["district"] == 0 and body["congress"] == 119
    assert body["accuracy"] == "zip" and body["needs_address"] is False
    assert names(body["legislators"]) == ["Becca Balint", "Bernard Sanders", "Peter Welch"]
    assert body["candidates"] == [] and body["vacancies"] == []
    assert body["query"] == {"zip": "05401", "address": None}


def test_legislator_entries_carry_the_documented_fields(client):
    body = get(client, zip="05401").json()
    balint = next(p for p in body["legislators"] if p["chamber"] == "house")
    assert set(balint) == {
        "bioguide_id", "name", "chamber", "title", "state", "district", "party", "phone",
        "office_address", "url", "contact_form", "district_offices",
    }  # fmt: skip
    assert balint["title"] == "Representative" and balint["district"] == 0
    assert balint["district_offices"] and set(balint["district_offices"][0]) == {
        "city", "address", "phone", "latitude", "longitude",
    }  # fmt: skip
    senator = next(p for p in body["legislators"] if p["chamber"] == "senate")
    assert senator["title"] == "Senator" and senator["district"] is None


def test_single_district_zip_names_the_member(client):
    body = get(client, zip="94110").json()
    assert (body["state"], body["district"], body["needs_address"]) == ("CA", 11, False)
    assert "Nancy Pelosi" in names(body["legislators"])
    assert len(body["legislators"]) == 3


def test_zip_plus_four_is_accepted(client):
    body = get(client, zip="94110-1234").json()
    assert body["district"] == 11 and body["query"]["zip"] == "94110-1234"


def test_split_zip_gives_senators_and_house_candidates_and_asks_for_an_address(client):
    body = get(client, zip="60616").json()
    assert body["state"] == "IL" and body["district"] is None and body["needs_address"] is True
    assert [p["chamber"] for p in body["legislators"]] == ["senate", "senate"]
    assert sorted(p["district"] for p in body["candidates"]) == [1, 4, 7]


def test_appointed_senators_past_their_recorded_term_end_still_serve(client):
    ohio = get(client, zip="43215").json()
    florida = get(client, zip="33101").json()
    assert len([p for p in ohio["legislators"] if p["chamber"] == "senate"]) == 2
    assert "Jon Husted" in names(ohio["legislators"])
    assert "Ashley Moody" in names(florida["legislators"])


def test_vacant_seat_is_reported_and_no_member_is_invented(client):
    body = get(client, zip="94541").json()  # wholly in CA-14, vacant in this data
    assert body["district"] == 14 and body["needs_address"] is False
    assert [p["chamber"] for p in body["legislators"]] == ["senate", "senate"]
    assert body["vacancies"] == [{"chamber": "house", "state": "CA", "district": 14}]


@pytest.mark.parametrize(
    ("zip_code", "state", "title"),
    [
        ("20001", "DC", "Delegate"),
        ("00901", "PR", "Resident Commissioner"),
        ("96799", "AS", "Delegate"),  # American Samoa: not in the crosswalk at all
        ("96910", "GU", "Delegate"),
        ("96950", "MP", "Delegate"),
        ("00802", "VI", "Delegate"),
    ],
)
def test_dc_and_territories_have_one_non_voting_member_and_no_senators(client, zip_code, state, title):
    body = get(client, zip=zip_code).json()
    assert body["state"] == state and body["district"] == 0 and body["needs_address"] is False
    assert len(body["legislators"]) == 1
    assert body["legislators"][0]["title"] == title and body["legislators"][0]["chamber"] == "house"


def test_zip_missing_from_crosswalk_gives_state_senators_and_the_whole_delegation(client):
    body = get(client, zip="10008").json()  # a Manhattan PO box ZIP: no ZCTA
    assert body["state"] == "NY" and body["district"] is None and body["needs_address"] is True
    assert [p["chamber"] for p in body["legislators"]] == ["senate", "senate"]
    assert {p["state"] for p in body["candidates"]} == {"NY"}
    assert len(body["candidates"]) >= 25


def test_crosswalk_row_in_another_state_is_never_returned_as_certain(client):
    # 81137 is a Colorado ZIP whose only crosswalk row says New Mexico's 3rd district: part of it may lie
    # in New Mexico, so neither state's members are certain.
    body = get(client, zip="81137").json()
    assert body["state"] is None and body["district"] is None and body["needs_address"] is True
    assert body["legislators"] == []
    assert {p["state"] for p in body["candidates"]} == {"CO", "NM"}
    assert {p["chamber"] for p in body["candidates"]} == {"senate", "house"}


def test_zip_spanning_two_states_names_no_member_and_offers_both_delegations(client):
    # 02861: crosswalk rows in MA-4 and RI-1; USPS says Rhode Island, the crosswalk says part is in MA.
    body = get(client, zip="02861").json()
    assert body["state"] is None and body["district"] is None and body["needs_address"] is True
    assert body["legislators"] == []
    candidates = body["candidates"]
    assert len([p for p in candidates if p["state"] == "RI"]) == 4  # 2 senators, 2 House seats
    assert len([p for p in candidates if p["state"] == "MA" and p["chamber"] == "senate"]) == 2
    assert len([p for p in candidates if p["state"] == "MA" and p["chamber"] == "house"]) == 9


def test_zip_filed_under_a_neighbouring_at_large_state_is_not_certain_either(client):
    # 57255, a South Dakota ZIP, is filed under North Dakota upstream (the crosswalk's de-duplication
    # ignores the state, so a ZCTA in two at-large states keeps one): it may lie in either.
    body = get(client, zip="57255").json()
    assert body["state"] is None and body["needs_address"] is True and body["legislators"] == []
    assert {(p["state"], p["chamber"]) for p in body["candidates"]} == {
        ("SD", "senate"), ("SD", "house"), ("ND", "senate"), ("ND", "house"),
    }  # fmt: skip


def test_military_zip_has_no_members_and_asks_for_the_home_address(client):
    body = get(client, zip="09001").json()
    assert body["state"] == "AE" and body["legislators"] == [] and body["needs_address"] is True


def test_well_formed_zip_that_does_not_exist_is_404_in_the_error_shape(client):
    response = get(client, zip="00000")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors"}


@pytest.mark.parametrize("query", [{"zip": "abc"}, {"zip": "1234"}, {"zip": "123456"}, {}, {"address": "x"}])
def test_malformed_query_is_400_with_field_errors(client, query):
    response = get(client, **query)
    assert response.status_code == 400
    body = response.json()
    assert body["message"] and body["errors"]


def test_openapi_schema_documents_the_lookup(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/representatives/" in response.content.decode()


def test_zip_with_surrounding_whitespace_is_trimmed_not_echoed_or_cached_apart(client):
    from congress import api, selectors

    assert selectors.ZIP_RE.match("05401\n") is None
    get(client, zip="05401")  # the trimmed ZIP's answer is now cached
    before = api._zip_answer.cache_info()
    body = get(client, zip="05401\n").json()
    assert body["query"]["zip"] == "05401" and body["district"] == 0
    after = api._zip_answer.cache_info()
    # Served from the "05401" entry: a hit, no miss, no second entry.
    assert (after.hits, after.misses, after.currsize) == (before.hits + 1, before.misses, before.currsize)
