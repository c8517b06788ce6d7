from django.db import models
from django.db.models import Q


class Chamber(models.TextChoices):
    SENATE = "senate", "Senate"
    HOUSE = "house", "House"


class Legislator(models.Model):
    """A member of Congress. The current-legislators file decides who serves: rows are never filtered by
    term dates, because appointed senators keep serving past their recorded term end."""

    class Title(models.TextChoices):
        SENATOR = "Senator"
        REPRESENTATIVE = "Representative"
        DELEGATE = "Delegate"
        RESIDENT_COMMISSIONER = "Resident Commissioner"

    bioguide_id = models.CharField(max_length=10, primary_key=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    official_full = models.CharField(max_length=160, blank=True)
    nickname = models.CharField(max_length=80, blank=True)
    chamber = models.CharField(max_length=6, choices=Chamber.choices)
    title = models.CharField(max_length=24, choices=Title.choices)
    state = models.CharField(max_length=2)
    # House seats only: 0 = at-large or a single-seat territory; null for senators.
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    senate_class = models.PositiveSmallIntegerField(null=True, blank=True)
    state_rank = models.CharField(max_length=8, blank=True)
    party = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    fax = models.CharField(max_length=20, blank=True)
    office_address = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=300, blank=True)
    contact_form = models.URLField(max_length=300, blank=True)
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    ids = models.JSONField(default=dict, blank=True)
    social = models.JSONField(default=dict, blank=True)
    in_office = models.BooleanField(default=True)
    congress = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["state", "chamber", "district", "last_name"]
        indexes = [models.Index(fields=["state", "chamber", "district"], name="legislator_seat_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(chamber="senate", district__isnull=True) | Q(chamber="house", district__isnull=False),
                name="legislator_district_matches_chamber",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.display_name} ({self.state})"

    @property
    def display_name(self) -> str:
        return self.official_full or f"{self.first_name} {self.last_name}"


class Office(models.Model):
    """A district (state) office. DC offices are on the Legislator row."""

    legislator = models.ForeignKey(Legislator, on_delete=models.CASCADE, related_name="offices")
    office_id = models.CharField(max_length=120, unique=True)
    address = models.CharField(max_length=200, blank=True)
    suite = models.CharField(max_length=80, blank=True)
    building = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    fax = models.CharField(max_length=20, blank=True)
    hours = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["legislator_id", "office_id"]

    def __str__(self) -> str:
        return f"{self.legislator_id} {self.city}"


class Committee(models.Model):
    class Kind(models.TextChoices):
        HOUSE = "house"
        SENATE = "senate"
        JOINT = "joint"

    # Upstream thomas id; a subcommittee's id is its parent's followed by its own ("HSAG" + "15").
    committee_id = models.CharField(max_length=12, primary_key=True)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    name = models.CharField(max_length=250)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="subcommittees")
    url = models.URLField(max_length=300, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=200, blank=True)
    jurisdiction = models.TextField(blank=True)
    members = models.ManyToManyField(Legislator, through="CommitteeMembership", related_name="committees")

    class Meta:
        ordering = ["committee_id"]

    def __str__(self) -> str:
        return self.name


class CommitteeMembership(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    legislator = models.ForeignKey(Legislator, on_delete=models.CASCADE, related_name="memberships")
    party = models.CharField(max_length=10, blank=True)  # majority / minority
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "legislator"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.legislator_id} on {self.committee_id}"


class ZipDistrict(models.Model):
    """One row of the ZCTA -> congressional district crosswalk, for the Congress whose lines it describes."""

    congress = models.PositiveSmallIntegerField()
    zcta = models.CharField(max_length=5)
    state = models.CharField(max_length=2)
    district = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["congress", "zcta", "state", "district"], name="zipdistrict_unique"),
        ]
        indexes = [models.Index(fields=["congress", "zcta"], name="zipdistrict_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.zcta} {self.state}-{self.district} ({self.congress})"


class DataLoad(models.Model):
    """A record of each successful Congress data load.

    The roster and the ZIP crosswalk are published by different projects on different days, so each
    carries its own Congress number: `congress` is the roster's (who serves), `crosswalk_congress` the
    Congress whose district lines the crosswalk describes. When they differ, a ZIP alone names no House
    member outside the states declared unchanged."""

    source = models.CharField(max_length=500)
    upstream_date = models.DateTimeField(null=True, blank=True)
    congress = models.PositiveSmallIntegerField(help_text="The roster's Congress: who serves.")
    crosswalk_congress = models.PositiveSmallIntegerField(
        help_text="The Congress whose district lines the ZIP crosswalk describes."
    )
    # How the crosswalk's Congress was decided: "stated" (an operator said so), "known" (a published file
    # whose lines are known), "kept" (the same file as the previous load) or "assumed" (first load, no word).
    crosswalk_congress_source = models.CharField(max_length=8, blank=True)
    crosswalk_digest = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)
    # Who joined, left, moved, changed phone or offices, and the queued work each change touched.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        lines = "" if self.crosswalk_congress == self.congress else f" (ZIP lines of the {self.crosswalk_congress}th)"
        return f"{self.congress}th Congress{lines} from {self.source} at {self.loaded_at:%Y-%m-%d %H:%M}"
