"""The loader against the real shared data, and against broken copies of it."""

import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from congress import sources
from congress.models import Committee, CommitteeMembership, DataLoad, Legislator, Office, ZipDistrict
from congress.services import congress_data_sync

pytestmark = pytest.mark.django_db
SHARED = settings.CONGRESS_SHARED_DIR


@pytest.fixture
def data_copy(tmp_path):
    for name in sources.FILES:
        shutil.copy(SHARED / name, tmp_path / name)
    return tmp_path


def snapshot_counts():
    return (
        Legislator.objects.filter(in_office=True).count(),
        Office.objects.count(),
        CommitteeMembership.objects.count(),
        ZipDistrict.objects.count(),
    )


def test_real_data_loads_with_the_counts_in_the_data_readme():
    load = DataLoad.objects.latest()
    assert load.congress == 119
    in_office = Legislator.objects.filter(in_office=True)
    assert in_office.count() == 537
    assert in_office.filter(chamber="senate").count() == 100
    assert in_office.filter(title="Representative").count() == 431
    assert in_office.filter(title="Representative").values("state").distinct().count() == 50
    delegates = in_office.filter(title__in=["Delegate", "Resident Commissioner"])
    assert sorted(delegates.values_list("state", flat=True)) == ["AS", "DC", "GU", "MP", "PR", "VI"]
    assert Office.objects.count() == 1312
    assert Committee.objects.filter(parent__isnull=True).count() == 49
    assert Committee.objects.filter(parent__isnull=False).count() == 181
    assert CommitteeMembership.objects.count() == 3879
    assert ZipDistrict.objects.filter(congress=119).count() == 42033
    assert ZipDistrict.objects.values("zcta").distinct().count() == 33774
    assert in_office.exclude(social={}).count() == 519
    at_large = set(in_office.filter(title="Representative", district=0).values_list("state", flat=True))
    assert at_large == {"AK", "DE", "ND", "SD", "VT", "WY"}
    assert load.counts["legislators"] == 537 and load.counts["crosswalk_rows"] == 42033


def test_every_state_has_two_senators_including_the_appointed_ones():
    senators = Legislator.objects.filter(in_office=True, chamber="senate")
    per_state = {s: senators.filter(state=s).count() for s in senators.values_list("state", flat=True)}
    assert len(per_state) == 50 and set(per_state.values()) == {2}
    assert senators.filter(last_name__in=["Husted", "Moody"]).count() == 2


def test_reloading_the_same_files_changes_nothing():
    before = snapshot_counts()
    congress_data_sync(source=str(SHARED))
    assert snapshot_counts() == before
    assert DataLoad.objects.count() == 2


def test_members_no_longer_in_the_file_are_marked_out_of_office(data_copy):
    people = json.loads((data_copy / sources.LEGISLATORS).read_text())
    gone = people.pop()
    (data_copy / sources.LEGISLATORS).write_text(json.dumps(people))
    load = congress_data_sync(source=str(data_copy))
    assert Legislator.objects.get(pk=gone["id"]["bioguide"]).in_office is False
    assert load.counts["out_of_office"] == 1


@pytest.mark.parametrize(
    ("name", "damage", "problem"),
    [
        (sources.LEGISLATORS, lambda raw: raw[: len(raw) // 2], "not valid JSON"),
        (sources.OFFICES, lambda raw: b"{not json", "not valid JSON"),
        (sources.COMMITTEES, lambda raw: b"[]", "non-empty"),
        (sources.MEMBERSHIP, lambda raw: b"[1, 2]", "keyed by committee"),
        (sources.CROSSWALK, lambda raw: raw[:-7], "truncated"),
        (sources.CROSSWALK, lambda raw: raw.replace(b"state_fips", b"fips", 1), "unexpected header"),
        (sources.CROSSWALK, lambda raw: raw + b"01,AL,3500X,3\n", "ZCTA"),
        (sources.CROSSWALK, lambda raw: raw[: raw.index(b"\n", 1000) + 1], "refusing"),
    ],
)
def test_broken_or_truncated_file_keeps_the_old_data_and_names_the_file(data_copy, name, damage, problem):
    path = data_copy / name
    path.write_bytes(damage(path.read_bytes()))
    before, loads = snapshot_counts(), DataLoad.objects.count()
    with pytest.raises(CommandError) as failure:
        # The crosswalk's lines are stated: a changed crosswalk nobody vouched for is not even read into
        # the database (see the turnover tests).
        call_command(
            "sync_congress",
            source=str(data_copy),
            crosswalk_congress=119,
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
    assert name in str(failure.value) and problem in str(failure.value)
    assert snapshot_counts() == before and DataLoad.objects.count() == loads


def test_missing_file_fails_with_its_name(data_copy):
    (data_copy / sources.SOCIAL).unlink()
    with pytest.raises(CommandError, match=sources.SOCIAL):
        call_command("sync_congress", source=str(data_copy), stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_much_smaller_crosswalk_is_accepted_only_when_allowed(data_copy):
    path = data_copy / sources.CROSSWALK
    raw = path.read_bytes()
    path.write_bytes(raw[: raw.index(b"\n", 1000) + 1])
    congress_data_sync(source=str(data_copy), crosswalk_congress=119, allow_shrink=True)
    assert 0 < ZipDistrict.objects.count() < 100


def test_command_prints_progress_and_counts(capsys):
    call_command("sync_congress", source=str(SHARED))
    out = capsys.readouterr().out
    assert "[6/6] read zccd.csv" in out and "legislators=537" in out


def test_congress_number_comes_from_the_house_terms():
    rows = [{"chamber": "house", "term_start": "2025-01-03"}] * 3 + [{"chamber": "house", "term_start": "2026-06-11"}]
    assert sources.congress_for(rows) == 119
    assert sources.congress_for([{"chamber": "house", "term_start": "2027-01-03"}]) == 120


def test_source_order_prefers_flag_then_env_then_shared_dir(settings, tmp_path):
    settings.CONGRESS_DATA = "https://example.org/data"
    assert sources.resolve_source("/explicit") == "/explicit"
    assert sources.resolve_source() == "https://example.org/data"
    settings.CONGRESS_DATA = ""
    assert sources.resolve_source() == str(SHARED)
    settings.CONGRESS_SHARED_DIR = tmp_path / "missing"
    assert sources.resolve_source() == sources.OFFICIAL


def test_lookups_see_a_new_load_without_a_restart(client, data_copy):
    assert client.get("/api/v1/representatives/", {"zip": "05401"}).json()["district"] == 0
    people = [p for p in json.loads((data_copy / sources.LEGISLATORS).read_text()) if p["id"]["bioguide"] != "B001318"]
    (data_copy / sources.LEGISLATORS).write_text(json.dumps(people))
    congress_data_sync(source=str(data_copy))
    body = client.get("/api/v1/representatives/", {"zip": "05401"}).json()
    assert [p["chamber"] for p in body["legislators"]] == ["senate", "senate"]
    assert body["vacancies"] == [{"chamber": "house", "state": "VT", "district": 0}]


def test_the_daily_task_retries_a_failed_fetch_but_not_a_bad_file(data_copy, settings):
    # Eager tasks surface a scheduled retry as celery's Retry exception: a bad file must not raise it.
    from celery.exceptions import Retry

    from congress.tasks import sync_congress_data

    path = data_copy / sources.CROSSWALK
    path.write_bytes(path.read_bytes()[:-7])
    settings.CONGRESS_DATA = str(data_copy)
    with pytest.raises(sources.DataError) as failure:
        sync_congress_data.apply(throw=True)
    assert not isinstance(failure.value, (sources.DataUnavailable, Retry))  # a bad file stays bad

    settings.CONGRESS_DATA = "http://127.0.0.1:9/congress/"  # nothing listens: the fetch fails
    with pytest.raises(Retry):
        sync_congress_data.apply(throw=True)
