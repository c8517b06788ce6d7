"""The metric rollups the metrics API and the dashboard read."""

from django.db import models

from organizing.models import Campaign


class MetricRollup(models.Model):
    """Pre-aggregated counts for the metrics API and dashboard (see docs/metrics.md).

    Hour rows carry totals and series; day rows carry the breakdowns (state, district, legislator,
    source), which at hour grain would be nearly as many rows as the actions themselves.
    """

    class Grain(models.TextChoices):
        HOUR = "hour"
        DAY = "day"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=4, choices=Grain.choices)
    bucket = models.DateTimeField()
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=2, blank=True)
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    bioguide_id = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=100, blank=True)
    value = models.BigIntegerField()

    class Meta:
        # The table of the app this model came from: moving it changed no data (reporting/migrations/0001).
        db_table = "campaign_metricrollup"
        indexes = [
            # Covering: the metrics queries read only these columns, so PostgreSQL answers from the index.
            models.Index(
                fields=["campaign", "grain", "kind", "bucket"],
                include=["state", "district", "bioguide_id", "source", "value"],
                name="rollup_read_idx",
            ),
            models.Index(fields=["bucket"], name="rollup_bucket_idx"),
            models.Index(fields=["campaign", "grain", "bucket"], name="rollup_first_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.grain} {self.bucket:%Y-%m-%d %H:00} = {self.value}"


class MetricRefresh(models.Model):
    """When the rollups were last brought up to date: the metrics answer says how fresh they are."""

    refreshed_at = models.DateTimeField()
    since = models.DateTimeField()
    rows = models.PositiveIntegerField()

    class Meta:
        db_table = "campaign_metricrefresh"
        get_latest_by = "refreshed_at"

    def __str__(self) -> str:
        return f"rollups refreshed at {self.refreshed_at:%Y-%m-%d %H:%M:%S}"
