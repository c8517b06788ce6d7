"""Reads of the campaign domain."""

from rest_framework.exceptions import NotFound

from organizing.models import Campaign


def campaign_or_404(slug: str) -> Campaign:
    """The campaign for an API path, or the API's 404."""
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise NotFound("No campaign with this slug.")
    return campaign
