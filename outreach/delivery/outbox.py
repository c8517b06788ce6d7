"""The outbox: letters kept for an organizer to print and deliver, one batch per office.

Nothing leaves the system here, so a letter in the outbox is never called "sent". The batch is HTML that
prints one letter per page, and a CSV of the same letters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.template.loader import render_to_string

from infra.csvexport import csv_stream

CSV_COLUMNS = [
    "letter_id",
    "office",
    "recipient",
    "status",
    "created_at",
    "prefix",
    "given_name",
    "family_name",
    "address_line",
    "locality",
    "region",
    "postal_code",
    "email",
    "subject",
    "body",
    "constituent_message",
]


def _row(letter) -> dict:
    sub = letter.submission
    return {
        "letter_id": letter.delivery_id,
        "office": letter.office_code or letter.bioguide_id,
        "recipient": f"{letter.recipient_title} {letter.recipient_name}".strip(),
        "status": letter.status,
        "created_at": letter.created_at.isoformat() if letter.created_at else "",
        "prefix": sub.prefix if sub else "",
        "given_name": sub.given_name if sub else "",
        "family_name": sub.family_name if sub else "",
        "address_line": sub.address_line if sub else "",
        "locality": sub.locality if sub else "",
        "region": sub.region if sub else "",
        "postal_code": sub.postal_code if sub else "",
        "email": sub.email if sub else "",
        "subject": letter.subject,
        "body": letter.body,
        "constituent_message": letter.constituent_message,
    }


def batch_csv(letters: Iterable) -> Iterator[str]:
    """The batch as CSV lines; writers' text is public input, so formulas are neutralized."""
    rows = ([_row(letter)[column] for column in CSV_COLUMNS] for letter in letters)
    return csv_stream(_with_header(rows))


def _with_header(rows: Iterable[list]) -> Iterator[list]:
    yield CSV_COLUMNS
    yield from rows


def batch_html(*, letters: list, office_label: str) -> str:
    return render_to_string("outreach/letters/outbox_batch.html", {"letters": letters, "office_label": office_label})
