from celery import shared_task

from congress.geocoder import GeocoderUnavailable
from contacts.models import Contact
from contacts.services import contact_district_resolve


@shared_task(autoretry_for=(GeocoderUnavailable,), retry_backoff=30, retry_jitter=True, max_retries=6, acks_late=True)
def resolve_contact_district(contact_id: int) -> None:
    contact = Contact.objects.filter(pk=contact_id, erased_at__isnull=True).first()
    if contact is not None:
        contact_district_resolve(contact=contact)
