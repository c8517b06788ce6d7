"""What `runstack` (and so `make run`) needs beyond starting processes: the address links are built from,
the pages worth opening and the demo login handed over by `seed_demo`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from campaign.seed import DEMO_SLUG
from organizing.models import Campaign

# Addresses that listen everywhere are not addresses a browser (or a link in an email) can use.
_ANY_HOST = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "[::1]"}  # noqa: S104


def served_base_url(addr: str) -> str:
    """The URL of the site served at runserver's `addr` ("8000", "127.0.0.1:8000", "[::1]:8000")."""
    host, sep, port = addr.rpartition(":")
    if not sep:
        host, port = "", addr
    host = _ANY_HOST.get(host, host) or "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def child_env(addr: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of the web server, worker and beat: links follow the served address unless
    PUBLIC_BASE_URL is set (in the environment or `.env`, which settings have already read into it)."""
    env = dict(environ)
    if not env.get("PUBLIC_BASE_URL"):
        env["PUBLIC_BASE_URL"] = served_base_url(addr)
    return env


def page_urls(base_url: str) -> list[tuple[str, str]]:
    """(label, URL) of each page to open: the demo campaign's petition, call and letter pages (taken from
    the seeded rows, so nothing is listed that was not seeded) and the organizer pages."""
    base_url = base_url.rstrip("/")
    pages: list[tuple[str, str]] = []
    campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
    if campaign is not None:
        petition = campaign.petitions.order_by("pk").first()
        if petition is not None:
            pages.append(("petition", reverse("petitions:page", kwargs={"slug": petition.slug})))
        if campaign.call_actions.filter(is_active=True).exists():
            pages.append(("call", reverse("calls-page", kwargs={"slug": campaign.slug})))
        letter = campaign.letter_actions.order_by("pk").first()
        if letter is not None:
            pages.append(("letter", reverse("letters-page", kwargs={"slug": letter.slug})))
    pages += [
        ("dashboard", reverse("dashboard")),
        ("admin", reverse("admin:index")),
        ("API docs", reverse("api-docs")),
        ("sign in", settings.LOGIN_URL),
    ]
    return [(label, f"{base_url}{path}") for label, path in pages]


def demo_login_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-login"


def demo_login_hand_over(username: str, password: str) -> None:
    """Leave the demo login for runstack to print next to the pages (DEBUG only; owner-readable only)."""
    path = demo_login_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"{username}\n{password}\n")


def demo_login_take() -> tuple[str, str] | None:
    """The login seed_demo left, removed once read: the password is not kept on disk longer than needed."""
    path = demo_login_path()
    try:
        username, password = path.read_text().splitlines()[:2]
    except (OSError, ValueError):
        return None
    path.unlink(missing_ok=True)
    return username, password
