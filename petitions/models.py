import secrets
import uuid

from django.db import models
from django.db.models import Q

from contacts.models import Contact
from organizing.models import Campaign


def new_ref_code() -> str:
    # 12 URL-safe characters (72 random bits): short enough for a shared link, too many to enumerate,
    # and too many for two of even ten million signatures to draw the same one (the drain copes if so).
    return secrets.token_urlsafe(9)


class Petition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class TargetKind(models.TextChoices):
        OWN_MEMBERS = "own_members", "The signer's own members of Congress"
        SPECIFIC = "specific", "Specific members of Congress"
        NAMED = "named", "Named bodies (e.g. a federal department)"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="petitions")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # What signers endorse. Frozen once anyone has signed (services and admin refuse to change it).
    petition_text = models.TextField()
    target_kind = models.CharField(max_length=12, choices=TargetKind.choices, default=TargetKind.OWN_MEMBERS)
    target_bioguide_ids = models.JSONField(default=list, blank=True)
    target_names = models.JSONField(default=list, blank=True)
    goal = models.PositiveIntegerField(default=1000)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    confirmation_required = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "open", "closed"]), name="petition_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"

    # No index of its own: every index below starts with the petition, and each index is one more write
    # per signer.
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures", db_index=False)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="signatures")
    # Public, opaque identifiers: `public_id` names the signature in API answers, `ref_code` goes into
    # share links. Neither says anything about the signer.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Unique through a constraint (below), not unique=True, which on PostgreSQL adds a second index for
    # LIKE queries that nothing runs.
    ref_code = models.CharField(max_length=16, default=new_ref_code, editable=False)
    status = models.CharField(max_length=9, choices=Status.choices)
    source_code = models.CharField(max_length=100, blank=True)
    # Indexed below for the signatures that have one only: most have none, and each index is a write.
    referrer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals", db_index=False
    )
    comment = models.TextField(blank=True, max_length=2000)
    public_display = models.BooleanField(default=False)
    ip_hash = models.CharField(max_length=64, blank=True)
    ua_hash = models.CharField(max_length=64, blank=True)
    # The district when the person signed, with the Congress it belongs to: it does not follow later moves.
    district_state = models.CharField(max_length=2, blank=True)
    district = models.PositiveSmallIntegerField(null=True, blank=True)
    district_congress = models.PositiveSmallIntegerField(null=True, blank=True)
    district_accuracy = models.CharField(max_length=7, choices=Contact.Accuracy.choices, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)  # keyed hash of the client's header
    confirmation_sends = models.PositiveSmallIntegerField(default=0)  # confirmation emails asked for
    # Confirmation emails a task claimed (and sent, unless the claim was released on failure): a task
    # sends only while this is below confirmation_sends, so a duplicated task sends nothing twice.
    confirmations_sent = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    # The signature row is the outbox for its first email (confirmation or thank-you): null until a
    # batch job hands that email to the queue (petitions.mail.signature_mail_queue).
    mail_queued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "contact"], name="signature_once_per_petition"),
            models.UniqueConstraint(fields=["ref_code"], name="signature_ref_code_unique"),
            models.UniqueConstraint(
                fields=["petition", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="signature_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=Q(status__in=["pending", "confirmed"]), name="signature_status_valid"),
        ]
        indexes = [
            models.Index(fields=["petition", "status"], name="signature_petition_status_idx"),
            models.Index(fields=["petition", "-created_at"], name="signature_petition_created_idx"),
            models.Index(fields=["petition", "district_state", "district"], name="signature_district_idx"),
            # Small: only signatures whose first email is not queued yet (seconds' worth of rows).
            models.Index(fields=["id"], condition=Q(mail_queued_at__isnull=True), name="signature_mail_unqueued_idx"),
            models.Index(fields=["referrer"], condition=Q(referrer__isnull=False), name="signature_referrer_idx"),
        ]

    def __str__(self) -> str:
        return f"Signature {self.pk} on {self.petition_id}"


class SignatureCountShard(models.Model):
    """Counts split over several rows per petition and status.

    A signer adds 1 to one shard picked at random, in the same transaction as the signature row, so a
    thousand concurrent signers spread over the shards instead of queueing on one row lock. Readers sum
    the shards (a short cache in front), and a beat task repairs drift from the signature rows.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="count_shards")
    status = models.CharField(max_length=9, choices=Signature.Status.choices)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "status", "shard"], name="count_shard_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}/{self.status}/{self.shard}={self.count}"


class SignatureIntake(models.Model):
    """Every signature starts here: the signer's request writes this one narrow row, and a batch job (the
    drain, petitions.drain.signature_intake_drain) turns undrained rows into contacts, signatures, count
    increments and consent records a moment later.

    A signature touches four wide tables and about twenty indexes; done per request, that write was most
    of what a signer waited for. Here a signer inserts one row with three small indexes, and the unique
    index on (email key, petition) decides between a new signature (201) and a repeat (200), as the
    signature's own unique index did before. The shown count adds the undrained rows to the shards, so
    it does not lag behind the answers.

    The row stays after the drain, emptied of everything but its keys: it is what tells a repeat from a
    new signer. It goes with its signature (deleted in the admin, say) and when the person is erased.
    """

    # No constraint in the database: the check of a foreign key locks the petition's row in every
    # signer's transaction, the one row all of them share. Deleting a petition still cascades (Django).
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    # Keyed hash of the normalized email: equality is all this row needs, so it holds no address.
    email_key = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=64, blank=True)  # keyed hash of the client's header
    public_id = models.UUIDField()
    ref_code = models.CharField(max_length=16)
    status = models.CharField(max_length=9, choices=Signature.Status.choices)
    # What the signer sent, with hashes in place of their IP and user agent; emptied by the drain.
    payload = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    drained_at = models.DateTimeField(null=True, blank=True)
    # Null once drained only when the person had already signed in a way the intake did not know about.
    # Set by the drain alone; no constraint in the database, whose check per row the drain would pay.
    signature = models.ForeignKey(
        Signature,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        constraints = [
            # Email first: erasure and export look rows up by the email key alone.
            models.UniqueConstraint(fields=["email_key", "petition"], name="intake_once_per_petition"),
            models.UniqueConstraint(
                fields=["petition", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="intake_idempotency_key_unique",
            ),
        ]
        indexes = [
            # Small: rows waiting for the drain. The drain takes them in order; counts add them up by status.
            models.Index(
                fields=["petition", "status"], condition=Q(drained_at__isnull=True), name="intake_undrained_idx"
            ),
            # For cascades from a deleted signature; drained rows only, so a signer's insert skips it.
            models.Index(fields=["signature"], condition=Q(signature__isnull=False), name="intake_signature_idx"),
        ]

    def __str__(self) -> str:
        return f"Intake {self.pk} on {self.petition_id}"
