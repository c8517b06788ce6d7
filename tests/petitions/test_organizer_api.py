import csv
import io

import pytest
from django.utils import timezone

from organizing.models import Campaign
from petitions.models import Petition, Signature
from tests.petitions.helpers import sign_url, signer


def test_anonymous_callers_cannot_use_organizer_endpoints(api_client, petition):
    # 403 rather than 401: session authentication comes first and sends no WWW-Authenticate challenge.
    calls = [
        api_client.post("/api/v1/campaigns/", {"slug": "x", "name": "X"}, format="json"),
        api_client.post("/api/v1/petitions/", {}, format="json"),
        api_client.patch(f"/api/v1/petitions/{petition.slug}/", {"goal": 5}, format="json"),
        api_client.get(sign_url(petition.slug)),
        api_client.get(f"/api/v1/petitions/{petition.slug}/signatures.csv"),
    ]
    assert [r.status_code for r in calls] == [403] * 5
    assert Campaign.objects.filter(slug="x").count() == 0


def test_non_staff_token_is_forbidden(api_client, django_user_model):
    from rest_framework.authtoken.models import Token

    user = django_user_model.objects.create_user("volunteer", password="pw")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert api_client.post("/api/v1/campaigns/", {"slug": "x", "name": "X"}, format="json").status_code == 403


def test_organizer_creates_campaign_and_draft_petition_then_opens_and_closes_it(organizer_client, api_client):
    created = organizer_client.post(
        "/api/v1/campaigns/", {"slug": "surveillance", "name": "Surveillance", "status": "active"}, format="json"
    )
    assert created.status_code == 201, created.json()
    petition = organizer_client.post(
        "/api/v1/petitions/",
        {
            "campaign": "surveillance",
            "slug": "dhs-disclose",
            "title": "DHS, disclose your face recognition use",
            "petition_text": "Tell the public how you use face recognition.",
            "target_kind": "named",
            "target_names": ["U.S. Department of Homeland Security"],
            "goal": 5000,
        },
        format="json",
    )
    assert petition.status_code == 201, petition.json()
    assert petition.json()["status"] == "draft"
    assert petition.json()["targets"] == [{"kind": "named", "name": "U.S. Department of Homeland Security"}]
    # A draft is invisible to the public and cannot be signed.
    assert api_client.get("/api/v1/petitions/dhs-disclose/").status_code == 404
    assert api_client.post(sign_url("dhs-disclose"), signer(), format="json").status_code == 409

    opened = organizer_client.patch("/api/v1/petitions/dhs-disclose/", {"status": "open"}, format="json")
    assert opened.json()["status"] == "open"
    assert api_client.post(sign_url("dhs-disclose"), signer(), format="json").status_code == 201

    text_change = organizer_client.patch("/api/v1/petitions/dhs-disclose/", {"petition_text": "Other"}, format="json")
    assert text_change.status_code == 400
    assert "petition_text" in text_change.json()["errors"]
    back_to_draft = organizer_client.patch("/api/v1/petitions/dhs-disclose/", {"status": "draft"}, format="json")
    assert back_to_draft.status_code == 400

    closed = organizer_client.post("/api/v1/campaigns/surveillance/close/")
    assert closed.json()["status"] == "closed"
    assert Petition.objects.get(slug="dhs-disclose").status == "closed"
    assert api_client.post(sign_url("dhs-disclose"), signer(email="b@example.org"), format="json").status_code == 409


def test_campaign_update_and_validation(organizer_client, campaign):
    response = organizer_client.patch(f"/api/v1/campaigns/{campaign.slug}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert Campaign.objects.get(pk=campaign.pk).name == "Renamed"
    dup = organizer_client.post("/api/v1/campaigns/", {"slug": campaign.slug, "name": "Dup"}, format="json")
    assert dup.status_code == 400 and "slug" in dup.json()["errors"]
    bad_dates = organizer_client.post(
        "/api/v1/campaigns/",
        {"slug": "d", "name": "D", "starts_at": "2026-05-01T00:00:00Z", "ends_at": "2026-04-01T00:00:00Z"},
        format="json",
    )
    assert bad_dates.status_code == 400 and "ends_at" in bad_dates.json()["errors"]


def test_petition_with_unknown_campaign_or_member_is_400(organizer_client, campaign):
    base = {"slug": "p", "title": "T", "petition_text": "x"}
    r = organizer_client.post("/api/v1/petitions/", {**base, "campaign": "nope"}, format="json")
    assert r.status_code == 400 and "campaign" in r.json()["errors"]
    r = organizer_client.post(
        "/api/v1/petitions/",
        {**base, "campaign": campaign.slug, "target_kind": "specific", "target_bioguide_ids": ["X000000"]},
        format="json",
    )
    assert r.status_code == 400 and "target_bioguide_ids" in r.json()["errors"]
    r = organizer_client.post(
        "/api/v1/petitions/",
        {**base, "campaign": campaign.slug, "target_kind": "specific", "target_bioguide_ids": ["S000033"]},
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["targets"][0]["name"] == "Bernard Sanders" or r.json()["targets"][0]["bioguide_id"] == "S000033"


def test_public_list_and_detail(api_client, make_petition):
    make_petition(slug="open-one")
    make_petition(slug="draft-one", status="draft")
    make_petition(slug="closed-one", status="closed")
    listed = api_client.get("/api/v1/petitions/").json()
    assert [p["slug"] for p in listed] == ["open-one"]
    detail = api_client.get("/api/v1/petitions/closed-one/").json()
    assert {"slug", "title", "description", "petition_text", "targets", "goal", "signature_count", "status"} <= set(
        detail
    )
    assert detail["campaign"] == "demo-campaign"
    assert detail["targets"] == [{"kind": "own_members", "name": "Your senators and representative"}]


@pytest.fixture
def signed(api_client, petition):
    for email, zip_code in [("vt@example.org", "05401"), ("ca@example.org", "94110"), ("dc@example.org", "20001")]:
        assert api_client.post(sign_url(petition.slug), signer(email=email, postal_code=zip_code), format="json")
    Signature.objects.filter(contact__email="dc@example.org").update(
        created_at=timezone.now() - timezone.timedelta(days=3)
    )
    return petition


def test_signature_list_filters_by_state_district_and_date(organizer_client, signed):
    url = sign_url(signed.slug)
    assert len(organizer_client.get(url).json()["results"]) == 3
    ca = organizer_client.get(url, {"state": "ca", "district": "11"}).json()["results"]
    assert len(ca) == 1 and ca[0]["district_state"] == "CA" and ca[0]["district"] == 11
    today = timezone.now().date().isoformat()
    assert len(organizer_client.get(url, {"since": today}).json()["results"]) == 2
    assert len(organizer_client.get(url, {"until": today}).json()["results"]) == 3
    assert organizer_client.get(url, {"district": "x"}).status_code == 400
    assert organizer_client.get(url, {"since": "yesterday"}).status_code == 400


def test_personal_data_in_lists_needs_the_permission(organizer_client, privileged_client, signed):
    url = sign_url(signed.slug)
    plain = organizer_client.get(url).json()["results"][0]
    assert "email" not in plain and "given_name" not in plain
    full = privileged_client.get(url).json()["results"][0]
    assert full["email"].endswith("@example.org")


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_streams_and_neutralizes_formulas(privileged_client, api_client, petition):
    api_client.post(
        sign_url(petition.slug),
        signer(given_name='=HYPERLINK("http://evil")', family_name="+1", comment="@SUM(A1)"),
        format="json",
    )
    api_client.post(sign_url(petition.slug), signer(email="b@example.org", comment="-2+3"), format="json")
    response = privileged_client.get(f"/api/v1/petitions/{petition.slug}/signatures.csv")
    assert response.status_code == 200 and response.streaming
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert len(body) == 2
    cells = [cell for row in body for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'+1" in cells and "'@SUM(A1)" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "email" in header


def test_csv_without_permission_has_no_personal_columns(organizer_client, signed):
    rows = _csv(organizer_client.get(f"/api/v1/petitions/{signed.slug}/signatures.csv", {"state": "VT"}))
    assert "email" not in rows[0]
    assert len(rows) == 2
    assert not any("@example.org" in cell for row in rows for cell in row)


def test_closing_is_seen_at_once_by_the_process_that_remembers_the_petition(
    organizer_client, api_client, petition, settings, django_capture_on_commit_callbacks
):
    from petitions.selectors import petition_forget

    settings.PETITION_CACHE_SECONDS = 2
    try:
        assert api_client.post(sign_url(petition.slug), signer(), format="json").status_code == 201
        with django_capture_on_commit_callbacks(execute=True):
            closed = organizer_client.patch(f"/api/v1/petitions/{petition.slug}/", {"status": "closed"}, format="json")
        assert closed.status_code == 200
        late = api_client.post(sign_url(petition.slug), signer(email="late@example.org"), format="json")
        assert late.status_code == 409
    finally:
        petition_forget(slug=petition.slug)


@pytest.mark.parametrize(
    ("param", "value"),
    [("since", "2026-02-30"), ("until", "2026-13-01"), ("district", "\u00b2"), ("district", "\u0663")],
)
@pytest.mark.parametrize("suffix", ["signatures/", "signatures.csv"])
def test_impossible_filters_are_400_in_the_error_shape(organizer_client, petition, param, value, suffix):
    response = organizer_client.get(f"/api/v1/petitions/{petition.slug}/{suffix}", {param: value})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "errors"} and param in body["errors"]
