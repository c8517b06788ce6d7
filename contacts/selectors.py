from contacts.models import ConsentRecord, Contact


def consent_latest(*, contact: Contact, channel: str) -> ConsentRecord | None:
    """The record that decides the current consent for a channel (the latest), or None."""
    return ConsentRecord.objects.filter(contact=contact, channel=channel).order_by("-created_at", "-id").first()


def consent_state(*, contact: Contact, channel: str) -> bool:
    """Current consent for a channel: the latest record decides; no record means no consent."""
    latest = consent_latest(contact=contact, channel=channel)
    return bool(latest and latest.granted)
