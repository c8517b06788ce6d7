from django.db import models
from django.db.models.functions import Lower


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


# What identifies a person: shown only to staff allowed to see personal data, blanked on erasure.
PERSONAL_FIELDS = ("email", "given_name", "family_name", "phone", "address_line", "locality", "postal_code")


class Contact(models.Model):
    """A supporter. One row per person, found by normalized email."""

    class Accuracy(models.TextChoices):
        ZIP = "zip"
        ADDRESS = "address"

    # The typed form is kept for display; uniqueness is on the lower-cased form (see constraint).
    email = models.EmailField(max_length=254)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164
    address_line = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    # Congressional district as resolved by the congress lookup; null until resolved or when uncertain.
    district_state = models.CharField(max_length=2, blank=True)
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    district_congress = models.PositiveSmallIntegerField(null=True, blank=True)
    district_accuracy = models.CharField(max_length=7, choices=Accuracy.choices, blank=True)
    source = models.CharField(max_length=100, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="contact_email_ci_unique")]
        indexes = [models.Index(fields=["district_state", "district"], name="contact_district_idx")]
        permissions = [("view_personal_data", "Can see supporters' personal data")]

    def __str__(self) -> str:
        return f"Contact {self.pk}"


class ConsentText(models.Model):
    """The exact wording shown when consent was asked, versioned: a record points at what the person saw."""

    key = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="consenttext_key_version_unique")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class ConsentRecord(models.Model):
    """Consent is a history, not a flag: the current state is the latest record per channel."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        SMS = "sms"
        PHONE = "phone"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    granted = models.BooleanField()
    consent_text = models.ForeignKey(ConsentText, null=True, blank=True, on_delete=models.PROTECT)
    source = models.CharField(max_length=100, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contact_id", "channel", "-created_at", "-id"]
        indexes = [models.Index(fields=["contact", "channel", "-created_at"], name="consent_latest_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {'granted' if self.granted else 'withdrawn'} ({self.contact_id})"
