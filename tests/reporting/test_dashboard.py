import pytest
from django.contrib.auth.models import Group, User

from campaign.loadgen import load_generate
from organizing.models import Campaign, CampaignMembership
from reporting.rollups import rollups_rebuild_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = Campaign.objects.create(slug="dash", name="Dashboard demo", status=Campaign.Status.ACTIVE)
    load_generate(campaign=campaign, signatures=120, calls=30, letters=40, days=10, seed=3)
    rollups_rebuild_all()
    return campaign


def login(client, campaign=None, role=None, name="someone"):
    user = User.objects.create_user(name, password="pw")
    if role == "admin":
        user.groups.add(Group.objects.get(name="admin"))
    elif role:
        CampaignMembership.objects.create(campaign=campaign, user=user, role=role)
    client.force_login(user)
    return user


def test_anonymous_visitors_are_sent_to_the_login_page(client, campaign):
    for url in ("/dashboard/", f"/dashboard/{campaign.slug}/", f"/dashboard/{campaign.slug}/states.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_page_signs_in_and_lands_on_the_dashboard(client, campaign):
    User.objects.create_user("organizer", password="a-long-password")
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b'name="username"' in page.content
    response = client.post("/accounts/login/", {"username": "organizer", "password": "a-long-password"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_campaign_list_shows_only_the_members_campaigns(client, campaign):
    Campaign.objects.create(slug="secret", name="Someone else's campaign")
    login(client, campaign, "viewer")
    body = client.get("/dashboard/").content.decode()
    assert "Dashboard demo" in body and "Someone else" not in body


def test_non_members_get_403(client, campaign):
    login(client)
    assert client.get(f"/dashboard/{campaign.slug}/").status_code == 403
    assert client.get(f"/dashboard/{campaign.slug}/states.csv").status_code == 403


def test_dashboard_shows_figures_tables_and_drawn_charts_without_javascript(client, campaign):
    login(client, campaign, "viewer")
    response = client.get(f"/dashboard/{campaign.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="total-signatures">120<' in html
    assert html.count("<table") == 3 and "Top targets" in html and "Top sources" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert 'class="series" data-series="Signatures"' in html and 'class="bar"' in html
    assert 'role="progressbar"' in html
    assert "setInterval" in html  # the 30-second refresh, for browsers with JS


def test_fragment_returns_only_the_live_part_for_the_refresh(client, campaign):
    login(client, campaign, "organizer")
    html = client.get(f"/dashboard/{campaign.slug}/", {"fragment": "1"}).content.decode()
    assert "<html" not in html and 'id="total-signatures"' in html


@pytest.mark.parametrize(
    ("table", "header"),
    [("states", "state,signatures,calls,letters"), ("districts", "state,district,signatures,calls,letters"),
     ("targets", "bioguide_id,name,title,state,district,signatures,calls_connected,letters_sent"),
     ("sources", "source,signatures,calls"), ("series", "start,signatures,calls,letters")],
)  # fmt: skip
def test_each_table_downloads_as_csv(client, campaign, table, header):
    login(client, campaign, "viewer")
    response = client.get(f"/dashboard/{campaign.slug}/{table}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == header and len(lines) > 1


def test_unknown_csv_table_is_404(client, campaign):
    login(client, campaign, "viewer")
    assert client.get(f"/dashboard/{campaign.slug}/nope.csv").status_code == 404


def test_home_page_links_the_demo_campaigns_actions(client):
    from campaign.seed import demo_campaign_seed

    demo_campaign_seed()
    html = client.get("/").content.decode()
    assert "/p/face-recognition-moratorium/" in html
    assert "/c/face-recognition-moratorium/" in html
    assert "/l/" in html
