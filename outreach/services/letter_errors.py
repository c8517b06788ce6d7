"""The letters' input error, in a module of its own: writing a letter (letter_compose) and moderating one
(letter_moderation) both raise it, and the writing side also asks moderation whether to hold a letter."""

from __future__ import annotations

from infra.errors import DomainError


class LetterInputError(DomainError):
    """Per-field problems with a submission or a moderation decision: `errors` is {field: [messages]}."""

    status_code = 400
    message = "Invalid input."
