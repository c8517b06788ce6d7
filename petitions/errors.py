"""What petitions' services refuse, as domain errors: the API's exception handler answers each one in the
one error shape with its status, and the sign path's plain Django view through infra.errors.error_response."""

from __future__ import annotations

from infra.errors import DomainError


class PetitionNotFound(DomainError):
    """No petition with this slug (or a draft shown to someone who may not manage it)."""

    status_code = 404
    message = "No petition with this slug."


class PetitionNotOpen(DomainError):
    """Signing a draft or closed petition."""

    status_code = 409

    def __init__(self, status: str):
        super().__init__(f"This petition is {status}; it does not take signatures.")
        self.status = status


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different signer."""

    status_code = 409
    message = "This Idempotency-Key was used for a different request."


class BadConfirmationLink(DomainError):
    """A confirmation link that has expired or was never ours (the page answers 400)."""

    status_code = 400
    _MESSAGES = {"expired": "This confirmation link has expired.", "invalid": "This confirmation link is not valid."}

    def __init__(self, reason: str):
        super().__init__(self._MESSAGES.get(reason))
        self.reason = reason  # "expired" or "invalid"
