from contacts.models import ConsentRecord, Contact


def consent_state(*, contact: Contact, channel: str) -> bool:
    """Current consent for a channel: the latest record decides; no record means no consent."""
    latest = ConsentRecord.objects.filter(contact=contact, channel=channel).order_by("-created_at", "-id").first()
    return bool(latest and latest.granted)
