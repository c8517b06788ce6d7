"""`make run`: the demo organizer seed_demo prints, the pages runstack prints, and the address links follow."""

import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command

from campaign.seed import DEMO_ORGANIZER_USERNAME, DEMO_SLUG, demo_campaign_seed
from campaign.stack import child_env, demo_login_take, page_urls, served_base_url
from organizing import roles
from organizing.models import CampaignMembership

LOGIN = re.compile(r"demo organizer: username (\S+)  password (\S+)")


def _seed_demo() -> tuple[str, str]:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    match = LOGIN.search(out.getvalue())
    assert match, out.getvalue()
    return match.group(1), match.group(2)


@pytest.mark.django_db
def test_seed_demo_in_debug_prints_an_organizer_login_that_reaches_the_dashboard(client, settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    username, password = _seed_demo()

    user = User.objects.get(username=username)
    campaign = user.campaign_memberships.get().campaign
    assert campaign.slug == DEMO_SLUG
    assert user.campaign_memberships.get().role == CampaignMembership.Role.ORGANIZER
    assert user.groups.filter(name=roles.ORGANIZER).exists()
    assert roles.can_manage(user, campaign)
    # Handed over to runstack, once, readable by the owner only.
    assert (tmp_path / "demo-login").stat().st_mode & 0o077 == 0
    assert demo_login_take() == (username, password)
    assert demo_login_take() is None

    page = client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": page.cookies["csrftoken"].value},
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert campaign.name in dashboard.content.decode()


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_sets_a_new_password_each_run(client, settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    username, first = _seed_demo()
    again, second = _seed_demo()
    assert again == username
    assert first != second
    assert User.objects.filter(username=username).count() == 1
    assert CampaignMembership.objects.filter(user__username=username).count() == 1
    assert not client.login(username=username, password=first)
    assert client.login(username=username, password=second)


@pytest.mark.django_db
def test_seed_demo_without_debug_creates_no_user_and_prints_no_password(settings, tmp_path):
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo campaign ready" in out.getvalue()
    assert "password" not in out.getvalue()
    assert not User.objects.filter(username=DEMO_ORGANIZER_USERNAME).exists()
    assert not User.objects.exists()
    assert not (tmp_path / "demo-login").exists()


@pytest.mark.django_db
def test_page_urls_come_from_the_seeded_demo():
    campaign = demo_campaign_seed()
    petition = campaign.petitions.get()
    letter = campaign.letter_actions.get()
    base = "http://127.0.0.1:8123"
    assert page_urls(base + "/") == [
        ("petition", f"{base}/p/{petition.slug}/"),
        ("call", f"{base}/c/{campaign.slug}/"),
        ("letter", f"{base}/l/{letter.slug}/"),
        ("dashboard", f"{base}/dashboard/"),
        ("admin", f"{base}/admin/"),
        ("API docs", f"{base}/api/docs/"),
        ("sign in", f"{base}/accounts/login/"),
    ]


@pytest.mark.django_db
def test_page_urls_without_the_demo_list_only_the_organizer_pages():
    assert [label for label, _ in page_urls("http://127.0.0.1:8000")] == ["dashboard", "admin", "API docs", "sign in"]


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("8123", "http://127.0.0.1:8123"),
        ("0.0.0.0:8123", "http://127.0.0.1:8123"),
        ("localhost:9000", "http://localhost:9000"),
        ("[::1]:8123", "http://[::1]:8123"),
        ("[::]:8123", "http://[::1]:8123"),
    ],
)
def test_served_base_url(addr, url):
    assert served_base_url(addr) == url


def test_children_build_links_from_the_served_address_unless_public_base_url_is_set():
    assert child_env("127.0.0.1:8123", {"PATH": "/bin"}) == {"PATH": "/bin", "PUBLIC_BASE_URL": "http://127.0.0.1:8123"}
    assert child_env("127.0.0.1:8123", {"PUBLIC_BASE_URL": ""})["PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
    explicit = {"PUBLIC_BASE_URL": "https://act.example.org"}
    assert child_env("127.0.0.1:8123", explicit)["PUBLIC_BASE_URL"] == "https://act.example.org"


def test_a_child_process_settings_follow_the_served_address(tmp_path):
    """What runstack's web server, worker and beat load: PUBLIC_BASE_URL, and the hosts derived from it."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "ALLOWED_HOSTS")}
    environ.update(DJANGO_SETTINGS_MODULE="campaign.settings", DEBUG="true", VAR_DIR=str(tmp_path))
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.PUBLIC_BASE_URL, s.CSRF_TRUSTED_ORIGINS[0], '127.0.0.2' in s.ALLOWED_HOSTS)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=child_env("127.0.0.2:8123", environ),
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["http://127.0.0.2:8123", "http://127.0.0.2:8123", "True"]
