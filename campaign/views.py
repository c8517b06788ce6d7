"""The site's own pages: the health check and the public home page."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from campaign.celery import app as celery_app
from organizing.models import Campaign
from outreach.models.letters import LetterAction
from petitions.models import Petition


def _check(fn) -> dict:
    began = time.monotonic()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the type is the detail
        return {"ok": False, "error": type(exc).__name__, "ms": round((time.monotonic() - began) * 1000, 1)}
    return {"ok": True, "ms": round((time.monotonic() - began) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not return what was written")


def _broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker)}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


# --- Public home page ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _HomeCampaign:
    name: str
    slug: str
    description: str
    open_petitions: list[Petition]
    open_letters: list[LetterAction]
    has_calls: bool


@require_GET
def home(request):
    """What a visitor can do now: the active campaigns' open petitions, call line and letters."""
    campaigns = (
        Campaign.objects.filter(status=Campaign.Status.ACTIVE)
        .prefetch_related("petitions", "letter_actions", "call_actions")
        .order_by("name")
    )
    shown = [
        _HomeCampaign(
            name=c.name,
            slug=c.slug,
            description=c.description,
            open_petitions=[p for p in c.petitions.all() if p.status == "open"],
            open_letters=[a for a in c.letter_actions.all() if a.is_active],
            has_calls=any(a.is_active for a in c.call_actions.all()),
        )
        for c in campaigns
    ]
    return render(request, "campaign/home.html", {"campaigns": shown})
