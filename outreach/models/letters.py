"""Letter actions, letters and their deliveries."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from outreach.targets import TargetOrder, TargetRule

__all__ = [
    "CwcOffice",
    "Letter",
    "LetterAction",
    "LetterEvent",
    "LetterSubmission",
    "PetitionDeliveredSignature",
    "PetitionDeliveryBatch",
]


def _cwc_campaign_id() -> str:
    return uuid.uuid4().hex


class LetterAction(models.Model):
    """An organizer's letter: templates, topics, bill and whom it goes to. One campaign may have several."""

    class Stance(models.TextChoices):
        PRO = "Pro", "Pro"
        CON = "Con", "Con"

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="letter_actions")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Shown above the form on the letter page.")
    # Placeholders: {legislator_title} {legislator_name} {legislator_last_name} {given_name} {family_name}
    # {full_name} {city} {state} {district}
    subject_template = models.CharField(max_length=200)
    body_template = models.TextField(help_text="The campaign's text (CWC OrganizationStatement).")
    subject_editable = models.BooleanField(default=False)
    message_editable = models.BooleanField(
        default=True, help_text="The writer may add their own words (CWC ConstituentMessage)."
    )
    message_prompt = models.TextField(blank=True)
    topics = models.JSONField(default=list, help_text="Library of Congress policy areas, one or more.")
    bill_congress = models.PositiveSmallIntegerField(null=True, blank=True)
    bill_type = models.CharField(max_length=10, blank=True, help_text="e.g. HR, S, HRES")
    bill_number = models.PositiveIntegerField(null=True, blank=True)
    stance = models.CharField(max_length=3, choices=Stance.choices, blank=True)
    more_info_url = models.URLField(blank=True)
    # Offices group and de-duplicate by it, so it never changes once letters went out.
    cwc_campaign_id = models.CharField(max_length=32, unique=True, default=_cwc_campaign_id)
    target_rule = models.CharField(max_length=14, choices=TargetRule.choices, default=TargetRule.BOTH)
    target_bioguide_ids = models.JSONField(default=list, blank=True)
    target_order = models.CharField(max_length=12, choices=TargetOrder.choices, default=TargetOrder.SENATE_FIRST)
    # {bioguide_id: "office@example.house.gov"}: offices the organizer reaches by email.
    email_offices = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_rule__in=["senators", "representative", "both", "specific"]),
                name="letteraction_target_rule_for_letters",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from outreach.delivery.cwc import LOC_POLICY_AREAS

        errors = {}
        if not isinstance(self.topics, list) or not self.topics:
            errors["topics"] = "Give one or more Library of Congress policy areas."
        else:
            unknown = [t for t in self.topics if t not in LOC_POLICY_AREAS]
            if unknown:
                errors["topics"] = f"Not Library of Congress policy areas: {', '.join(map(str, unknown))}."
        if any([self.bill_congress, self.bill_type, self.bill_number]) and not all(
            [self.bill_congress, self.bill_type, self.bill_number]
        ):
            errors["bill_number"] = "A bill needs its Congress, type and number."
        if self.target_rule == TargetRule.SPECIFIC and not self.target_bioguide_ids:
            errors["target_bioguide_ids"] = "Name the members (bioguide ids) this letter goes to."
        if errors:
            raise ValidationError(errors)


class CwcOffice(models.Model):
    """An office code as listed by a CWC API's /offices: the only source of codes."""

    class Chamber(models.TextChoices):
        HOUSE = "house"
        SENATE = "senate"

    code = models.CharField(max_length=10, unique=True)
    chamber = models.CharField(max_length=6, choices=Chamber.choices)
    name = models.CharField(max_length=200, blank=True)
    # From the listing when it names the member ("[bioguide_id: P000145]"), else set by an organizer.
    bioguide_id = models.CharField(max_length=10, blank=True, db_index=True)
    active = models.BooleanField(default=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class LetterSubmission(models.Model):
    """One writer's form as submitted: the constituent block of every letter it produced."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(LetterAction, on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="letter_submissions")
    prefix = models.CharField(max_length=10)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=20, blank=True)
    address_line = models.CharField(max_length=200)
    locality = models.CharField(max_length=100)
    region = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    subject = models.CharField(max_length=200, blank=True, help_text="The writer's subject, when edited.")
    message = models.TextField(blank=True, help_text="What the writer wrote, when anything.")
    district_state = models.CharField(max_length=2)
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    district_congress = models.PositiveSmallIntegerField()
    # "address" when the geocoder placed the street address; "zip" when the ZIP alone gave the district.
    # Only the first lets a letter tell the office the address was validated.
    district_accuracy = models.CharField(max_length=7, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Submission {self.pk}"


class PetitionDeliveryBatch(models.Model):
    """One run of a petition's delivery to one office. Its CSV of signers is built from the delivered
    signatures when downloaded, so erasing a signer's contact erases them from it too."""

    petition_id = models.BigIntegerField(db_index=True)
    petition_slug = models.SlugField(max_length=80)
    run = models.PositiveIntegerField()
    bioguide_id = models.CharField(max_length=10)
    scope = models.CharField(max_length=8)  # "district" or "state"
    signer_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["petition_id", "run", "bioguide_id"]
        constraints = [
            models.UniqueConstraint(fields=["petition_id", "run", "bioguide_id"], name="petitionbatch_run_office"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_slug} run {self.run} to {self.bioguide_id}"


class PetitionDeliveredSignature(models.Model):
    """A signature already delivered to an office; a re-run skips these."""

    batch = models.ForeignKey(PetitionDeliveryBatch, on_delete=models.CASCADE, related_name="signatures")
    signature_id = models.BigIntegerField()
    bioguide_id = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["signature_id", "bioguide_id"], name="petition_signature_office_once"),
        ]

    def __str__(self) -> str:
        return f"Signature {self.signature_id} to {self.bioguide_id}"


class Letter(models.Model):
    """One letter to one office. Written before any outside call; the status says only what is true."""

    class Channel(models.TextChoices):
        CWC_HOUSE = "cwc_house", "CWC (House)"
        CWC_SENATE = "cwc_senate", "CWC (Senate)"
        EMAIL = "email", "Email"
        OUTBOX = "outbox", "Outbox (print batch)"
        WEB_FORM = "web_form", "Office web form only"

    class Status(models.TextChoices):
        HELD = "held", "Held for moderation"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        IN_OUTBOX = "in_outbox", "In the outbox (to print and deliver)"
        FAILED = "failed", "Failed"
        REJECTED = "rejected", "Rejected by a moderator"
        NEEDS_WEB_FORM = "needs_web_form", "Needs the office's web form"
        TARGET_LEFT = "target_left", "Held: the member left office"
        HAND_DELIVERED = "hand_delivered", "Delivered by hand"

    # The DeliveryId is this id's 32 hex digits: the same on every retry, so offices drop duplicates.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(LetterAction, null=True, blank=True, on_delete=models.CASCADE, related_name="letters")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="letters"
    )
    submission = models.ForeignKey(
        LetterSubmission, null=True, blank=True, on_delete=models.CASCADE, related_name="letters"
    )
    petition_batch = models.OneToOneField(
        PetitionDeliveryBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="letter"
    )
    # Stored as text, not a foreign key: a Congress data reload must never cascade into sent mail.
    bioguide_id = models.CharField(max_length=10)
    recipient_name = models.CharField(max_length=200)
    recipient_title = models.CharField(max_length=30, blank=True)
    chamber = models.CharField(max_length=6)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    office_code = models.CharField(max_length=10, blank=True)
    destination = models.CharField(max_length=300, blank=True, help_text="Email address or web form URL.")
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="The campaign's text, personalised.")
    constituent_message = models.TextField(blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, db_index=True)
    moderation_reason = models.CharField(max_length=300, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [
            ("moderate_letter", "Can approve or reject held letters"),
            ("deliver_petition", "Can deliver petitions to offices"),
            ("hand_deliver_letter", "Can mark outbox letters delivered by hand"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "contact", "bioguide_id"],
                condition=Q(action__isnull=False, contact__isnull=False),
                name="letter_once_per_action_contact_office",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="letter_status_due_idx")]

    def __str__(self) -> str:
        return f"Letter {self.pk}"

    @property
    def delivery_id(self) -> str:
        return self.id.hex


class LetterEvent(models.Model):
    """The status history of a letter, one row per change."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=14, choices=Letter.Status.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.status}"
