"""Call actions, sessions and legs.

A session is one supporter's call (outbound click-to-call or the inbound call-in line); its legs are the
offices dialed, in order. Webhook URLs name a session or a leg by its random UUID and nothing else: the
state of the call lives in these rows, never in a URL.
"""

import uuid

from django.db import models
from django.db.models import Q

from organizing.models import Campaign
from outreach.models.call_rules import call_action_validate
from outreach.targets import TargetOrder, TargetRule

__all__ = ["CallAction", "CallBlock", "CallFeedback", "CallLeg", "CallSession"]


class CallAction(models.Model):
    class AfterHours(models.TextChoices):
        VOICEMAIL = "voicemail", "Say the office is closed, then patch through to leave a voicemail"
        SKIP = "skip", "Say the office is closed and move on"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="call_actions")
    name = models.CharField(max_length=200)
    script = models.TextField(help_text="Shown on the call page and read to the caller before the first office.")
    script_audio_url = models.URLField(
        max_length=500, blank=True, help_text="A recording played instead of reading the script aloud."
    )
    target_rule = models.CharField(max_length=14, choices=TargetRule.choices, default=TargetRule.BOTH)
    target_order = models.CharField(max_length=12, choices=TargetOrder.choices, default=TargetOrder.SENATE_FIRST)
    max_targets = models.PositiveSmallIntegerField(null=True, blank=True)
    bioguide_ids = models.JSONField(default=list, blank=True, help_text='For "specific": ["S000033", ...]')
    committee_id = models.CharField(max_length=12, blank=True)
    custom_targets = models.JSONField(
        default=list, blank=True, help_text='For "custom": [{"name": ..., "phone": "+12025550100", "title": ...}]'
    )
    caller_ids = models.JSONField(
        default=list, blank=True, help_text="E.164 numbers the calls come from; empty means TWILIO_CALLER_ID."
    )
    phone_daily_limit = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Sessions per phone per 24 hours; empty means CALL_PHONE_DAILY_LIMIT."
    )
    after_hours = models.CharField(max_length=9, choices=AfterHours.choices, default=AfterHours.VOICEMAIL)
    is_active = models.BooleanField(default=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="callaction_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        call_action_validate(self)


class CallSession(models.Model):
    class Direction(models.TextChoices):
        OUTBOUND = "outbound"
        INBOUND = "inbound"

    # Twilio's own call statuses, plus ours before the call exists at Twilio.
    class Status(models.TextChoices):
        QUEUED = "queued"
        PLACING = "placing"
        INITIATED = "initiated"
        RINGING = "ringing"
        IN_PROGRESS = "in-progress"
        COMPLETED = "completed"
        BUSY = "busy"
        NO_ANSWER = "no-answer"
        FAILED = "failed"
        CANCELED = "canceled"

    class Outcome(models.TextChoices):
        NONE = "", "Not yet known"
        CONNECTED = "connected", "Pressed the key and went through the targets"
        NO_KEY = "no_key", "Pressed no key (or voicemail answered)"
        NO_ZIP = "no_zip", "Call-in line: no usable ZIP entered"
        NO_TARGETS = "no_targets", "No office to call"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(CallAction, on_delete=models.PROTECT, related_name="sessions")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="call_sessions")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.OUTBOUND)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.NONE, blank=True)
    # E.164; the keyed hash is what limits and the blocklist compare, so they work after erasure too.
    phone = models.CharField(max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    district_state = models.CharField(max_length=2, blank=True)
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    district_congress = models.PositiveSmallIntegerField(null=True, blank=True)
    split_zip = models.BooleanField(default=False)
    caller_id = models.CharField(max_length=20, blank=True)
    twilio_sid = models.CharField(max_length=64, null=True, blank=True)
    consent_text = models.ForeignKey("contacts.ConsentText", null=True, blank=True, on_delete=models.PROTECT)
    source = models.CharField(max_length=100, blank=True)
    prompts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["twilio_sid"], condition=Q(twilio_sid__isnull=False), name="callsession_sid"
            ),
        ]
        indexes = [
            models.Index(fields=["phone_hash", "created_at"], name="callsession_phone_idx"),
            models.Index(fields=["ip_hash", "created_at"], name="callsession_ip_idx"),
            models.Index(fields=["status", "created_at"], name="callsession_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Call session {self.pk}"


class CallLeg(models.Model):
    """One attempt to reach one target's office. A busy or unanswered DC office gets a second attempt
    (attempt 2) at a district office; both rows are kept."""

    class OfficeKind(models.TextChoices):
        DC = "dc", "Washington, DC office"
        DISTRICT = "district", "District office"
        CUSTOM = "custom", "Custom number"

    class Status(models.TextChoices):
        PENDING = "pending"
        DIALING = "dialing"
        COMPLETED = "completed"
        BUSY = "busy"
        NO_ANSWER = "no-answer"
        FAILED = "failed"
        CANCELED = "canceled"
        CLOSED = "closed", "Office closed; not dialed"
        NOT_REACHED = "not-reached", "The caller hung up before this office"
        ABANDONED = "abandoned", "The caller hung up while it rang or talked"
        LEFT_OFFICE = "left-office", "The member left office; not dialed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(CallSession, on_delete=models.CASCADE, related_name="legs")
    position = models.PositiveSmallIntegerField()
    attempt = models.PositiveSmallIntegerField(default=1)
    target_key = models.CharField(max_length=40)
    legislator = models.ForeignKey("congress.Legislator", null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=160)
    title = models.CharField(max_length=40, blank=True)
    office_kind = models.CharField(max_length=8, choices=OfficeKind.choices, default=OfficeKind.DC)
    office = models.ForeignKey("congress.Office", null=True, blank=True, on_delete=models.SET_NULL)
    office_label = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    after_hours = models.BooleanField(default=False)
    duration = models.PositiveIntegerField(null=True, blank=True)
    dial_sid = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session_id", "position", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position", "attempt"], name="callleg_unique_attempt"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.office_kind}) {self.status}"


class CallFeedback(models.Model):
    """What the caller says happened at one office; the latest report per target wins."""

    class Outcome(models.TextChoices):
        CONTACT = "contact", "Talked to staff"
        VOICEMAIL = "voicemail", "Left a voicemail"
        UNAVAILABLE = "unavailable", "Line busy or no answer"
        SKIP = "skip", "Skipped"

    session = models.ForeignKey(CallSession, on_delete=models.CASCADE, related_name="feedback")
    target_key = models.CharField(max_length=40)
    outcome = models.CharField(max_length=11, choices=Outcome.choices)
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "target_key"], name="callfeedback_one_per_target")]

    def __str__(self) -> str:
        return f"{self.target_key}: {self.outcome}"


class CallBlock(models.Model):
    """A blocked phone or IP, kept as the same keyed hash the sessions carry. Expired rows stop counting."""

    class Kind(models.TextChoices):
        PHONE = "phone"
        IP = "ip"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    value_hash = models.CharField(max_length=64)
    label = models.CharField(max_length=40, blank=True, help_text="A hint for people, e.g. the last digits.")
    reason = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value_hash"], name="callblock_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.label or self.value_hash[:8]}"
