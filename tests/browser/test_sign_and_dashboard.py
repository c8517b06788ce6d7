"""A real browser signs the demo petition, then an organizer sees it counted on the dashboard."""

import pytest
from django.contrib.auth.models import User

from campaign.seed import DEMO_SLUG, demo_campaign_seed
from organizing.models import CampaignMembership
from reporting.rollups import rollups_refresh

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_then_see_the_signature_on_the_dashboard(live_server, page, settings):
    settings.PETITION_MIN_FILL_SECONDS = 0
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    settings.PETITION_CACHE_SECONDS = 0
    campaign = demo_campaign_seed()
    organizer = User.objects.create_user("organizer", password="a-long-password")
    CampaignMembership.objects.create(campaign=campaign, user=organizer, role="organizer")

    page.goto(f"{live_server.url}/p/{DEMO_SLUG}/")
    page.fill("#f-given_name", "Ada")
    page.fill("#f-family_name", "Lovelace")
    page.fill("#f-email", "ada@example.org")
    page.fill("#f-postal_code", "05401")
    page.click("#sign-form button[type=submit]")
    page.wait_for_url("**/thanks/**")
    assert "Thank you for signing" in page.inner_text("h1")

    rollups_refresh()  # the beat job's next tick

    page.goto(f"{live_server.url}/dashboard/{DEMO_SLUG}/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "organizer")
    page.fill("#id_password", "a-long-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/dashboard/{DEMO_SLUG}/")
    assert page.inner_text("#total-signatures").strip() == "1"
    assert page.inner_text("#goal-count").strip() == "1"
    assert "VT" in page.inner_text("table[aria-labelledby=states-h]")

    line = page.locator("svg.chart-line polyline[data-series=Signatures]")
    assert line.count() == 1
    box = line.bounding_box()
    assert box is not None and box["width"] > 0
    assert page.locator("svg.chart-line").first.bounding_box()["height"] > 50
    assert page.evaluate(
        "() => document.querySelector('polyline[data-series=Signatures]').getAttribute('points').split(' ')"
        ".some(p => parseFloat(p.split(',')[1]) < 200)"
    ), "the signatures line should rise above the baseline"
