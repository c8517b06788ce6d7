from django.db import models
from django.db.models import Q


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignMembership(models.Model):
    """Which organizers and viewers work on a campaign. Admins (superusers or the "admin" group) see all."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", "Organizer"
        VIEWER = "viewer", "Viewer"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="campaign_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="membership_campaign_user_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.campaign_id}"


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
        get_latest_by = "refreshed_at"

    def __str__(self) -> str:
        return f"rollups refreshed at {self.refreshed_at:%Y-%m-%d %H:%M:%S}"
