"""A petition delivery an organizer asked for: queued, then run by a worker (the bulk queue)."""

from __future__ import annotations

from django.db import models

__all__ = ["PetitionDeliveryRun"]


class PetitionDeliveryRun(models.Model):
    """One request to deliver a petition. The counts and result are written when the run ends: the delivery
    is one transaction, so nothing it does is visible (or worth reporting) before it commits."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.QUEUED, db_index=True)
    # The delivery's run number (PetitionDeliveryBatch.run), once it ran.
    run = models.PositiveIntegerField(null=True, blank=True)
    letters = models.PositiveIntegerField(null=True, blank=True)
    signatures = models.PositiveIntegerField(null=True, blank=True)
    skipped = models.PositiveIntegerField(null=True, blank=True)
    # petition_deliver's answer: office ids, letter ids and counts, no signer's name.
    result = models.JSONField(null=True, blank=True)
    # The exception's type only: its message may quote a row, and rows hold supporters' names.
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Petition delivery {self.pk} ({self.status})"
