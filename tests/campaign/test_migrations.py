"""The restructuring moved models between apps without touching their tables: a database that holds data
in the old layout migrates to the new one with nothing lost."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The last migrations before the metric rollups moved from the campaign app to reporting.
BEFORE = [("campaign", "0006_rollup_covering_index"), ("reporting", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_rollups_written_in_the_old_layout_are_read_in_the_new_one():
    old = _migrate(BEFORE)
    Campaign = old.get_model("campaign", "Campaign")
    OldRollup = old.get_model("campaign", "MetricRollup")
    OldRefresh = old.get_model("campaign", "MetricRefresh")
    ContentType = old.get_model("contenttypes", "ContentType")
    campaign = Campaign.objects.create(slug="kept", name="Kept")
    bucket = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    OldRollup.objects.create(campaign=campaign, grain="day", bucket=bucket, kind="signatures", state="VT", value=7)
    OldRefresh.objects.create(refreshed_at=bucket, since=bucket, rows=1)
    ContentType.objects.get_or_create(app_label="campaign", model="metricrollup")
    ContentType.objects.filter(app_label="reporting").delete()

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from organizing.models import Campaign as CurrentCampaign
    from reporting.models import MetricRefresh, MetricRollup

    row = MetricRollup.objects.get()
    assert (row.campaign.slug, row.kind, row.state, row.value, row.bucket) == ("kept", "signatures", "VT", 7, bucket)
    assert MetricRefresh.objects.get().rows == 1
    assert CurrentCampaign.objects.get(slug="kept").name == "Kept"
    # The content type (and so the permissions and admin history that point at it) followed the model.
    assert CurrentContentType.objects.filter(app_label="reporting", model="metricrollup").count() == 1
    assert not CurrentContentType.objects.filter(app_label="campaign", model="metricrollup").exists()
