import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from petitions.counts import signature_counts_reconcile
from petitions.intake import signature_submit
from petitions.models import Petition, Signature, SignatureCountShard
from petitions.selectors import signature_counts
from petitions.tasks import reconcile_signature_counts
from tests.petitions.helpers import sign_url, signer


def test_count_is_spread_over_shards_not_one_row(api_client, petition, settings):
    settings.PETITION_COUNT_SHARDS = 16
    for i in range(40):
        api_client.post(sign_url(petition.slug), signer(email=f"s{i}@example.org"), format="json")
    assert signature_counts(petition_id=petition.pk).confirmed == 40
    assert SignatureCountShard.objects.filter(petition=petition).count() > 1


def test_cached_count_is_at_most_the_cache_time_stale(api_client, petition, settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 2
    assert signature_counts(petition_id=petition.pk).confirmed == 0
    api_client.post(sign_url(petition.slug), signer(), format="json")
    assert signature_counts(petition_id=petition.pk).confirmed == 0  # served from the 2 s cache
    from django.core.cache import cache

    cache.clear()  # what the expiry does
    assert signature_counts(petition_id=petition.pk).confirmed == 1


def test_count_remembered_per_process_is_at_most_both_cache_times_stale(api_client, petition, settings):
    from django.core.cache import cache

    settings.PETITION_COUNT_CACHE_SECONDS = 0.2
    settings.PETITION_COUNT_PROCESS_SECONDS = 0.3
    assert signature_counts(petition_id=petition.pk).confirmed == 0
    api_client.post(sign_url(petition.slug), signer(), format="json")
    cache.clear()  # the shared cache expired: the process still serves what it read
    assert signature_counts(petition_id=petition.pk).confirmed == 0
    time.sleep(0.35)
    assert signature_counts(petition_id=petition.pk).confirmed == 1


def test_reconciliation_repairs_drift_from_the_rows(api_client, petition):
    for i in range(5):
        api_client.post(sign_url(petition.slug), signer(email=f"s{i}@example.org"), format="json")
    Signature.objects.filter(contact__email="s0@example.org").delete()  # e.g. removed in the admin
    SignatureCountShard.objects.filter(petition=petition).update(count=0)
    assert signature_counts(petition_id=petition.pk).confirmed == 0
    reconcile_signature_counts()
    assert signature_counts(petition_id=petition.pk).confirmed == 4
    assert signature_counts_reconcile(petition_id=petition.pk) == {}  # nothing left to repair


def test_beat_schedule_runs_the_reconciliation(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "petitions.tasks.reconcile_signature_counts" in tasks


def test_seed_demo_creates_the_open_petition_once(db):
    call_command("seed_demo")
    call_command("seed_demo")
    petition = Petition.objects.get(slug="face-recognition-moratorium")
    assert petition.status == "open" and petition.goal == 100_000
    assert petition.target_kind == "own_members"
    assert petition.campaign.slug == "face-recognition-moratorium"
    assert "28 members" in petition.description
    assert Petition.objects.count() == 1


def _hammer(n_threads: int, fn):
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def run(i):
        try:
            barrier.wait()
            fn(i)
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.postgres
def test_fifty_concurrent_requests_with_one_email_make_one_signature(committed):
    from rest_framework.test import APIClient

    petition = Petition.objects.create(campaign=committed, slug="race", title="R", petition_text="t", status="open")
    statuses: list[int] = []

    def sign(i):
        response = APIClient().post(sign_url("race"), signer(email="Same@Example.org" if i % 2 else "same@example.org"))
        statuses.append(response.status_code)

    assert _hammer(50, sign) == []
    assert sorted(statuses) == [200] * 49 + [201]
    assert Signature.objects.filter(petition=petition).count() == 1
    assert signature_counts(petition_id=petition.pk).confirmed == 1
    assert signature_counts_reconcile(petition_id=petition.pk) == {}


@pytest.mark.postgres
def test_count_stays_exact_under_concurrent_signing(committed):
    petition = Petition.objects.create(campaign=committed, slug="busy", title="B", petition_text="t", status="open")

    def sign(i):
        for j in range(5):
            signature_submit(petition=petition, email=f"p{i}-{j}@example.org", postal_code="05401")

    assert _hammer(20, sign) == []
    assert Signature.objects.filter(petition=petition).count() == 100
    assert signature_counts(petition_id=petition.pk).confirmed == 100
    assert signature_counts_reconcile(petition_id=petition.pk) == {}


def _list_queries(api_client) -> tuple[int, list]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/petitions/")
    assert response.status_code == 200
    return len(queries), response.json()


@pytest.mark.parametrize("cache_seconds", [0, 5])
def test_public_list_costs_the_same_queries_for_two_petitions_or_six(
    api_client, make_petition, settings, cache_seconds
):
    from django.core.cache import cache

    from petitions.counts import count_add

    settings.PETITION_COUNT_CACHE_SECONDS = cache_seconds
    specific = {"target_kind": "specific", "target_bioguide_ids": ["S000033", "W000800"]}
    for i in range(2):
        count_add(petition_id=make_petition(slug=f"p{i}", **specific).pk, status="confirmed", delta=i + 1)
    few, _ = _list_queries(api_client)
    for i in range(2, 6):
        count_add(petition_id=make_petition(slug=f"p{i}", **specific).pk, status="confirmed", delta=i + 1)
    cache.clear()
    from petitions import selectors

    selectors._process_counts.clear()
    many, body = _list_queries(api_client)
    assert many == few
    assert {p["slug"]: p["signature_count"] for p in body} == {f"p{i}": i + 1 for i in range(6)}
    assert body[0]["targets"][0]["name"] != "S000033"  # the legislator was found
