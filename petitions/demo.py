"""The demo petition (the campaign's own, seeded by campaign/seed.py)."""

from __future__ import annotations

from organizing.models import Campaign
from petitions.models import Petition

DEMO_PETITION_TITLE = "Stop face recognition in immigration and law enforcement until Congress decides"
DEMO_PETITION_TEXT = (
    "To our members of Congress:\n\n"
    "Congress has never authorized federal agencies to use face recognition on the public, yet the "
    "technology is being sold for immigration enforcement and policing. We ask you to enact a "
    "moratorium on the use of face recognition for immigration enforcement and law enforcement, until "
    "Congress and the public have debated which uses, if any, should be permitted. We also ask you to "
    "require the Department of Homeland Security to disclose how it already uses face recognition."
)
DEMO_PETITION_DESCRIPTION = (
    "In July 2018 the ACLU of Northern California ran Amazon's Rekognition against photos of every "
    "member of Congress and a database of 25,000 public arrest photos. It falsely matched 28 members "
    "of Congress with people who had been arrested; six of them were members of the Congressional "
    "Black Caucus.\n\n"
    "This is not one bad test. A 2017 GAO report found unacceptable false-positive rates in face "
    "recognition systems, and an MIT Media Lab study found that commercial systems misidentified "
    "people with darker skin far more often than others.\n\n"
    "Records released under the Freedom of Information Act in October 2018 showed Amazon pitching "
    "Rekognition to Immigration and Customs Enforcement. A false match can mean a wrongful stop, "
    "detention or deportation. Congress has never authorized this use. Ask your senators and your "
    "representative to put a moratorium on it until the public has had its say."
)


def demo_petition_seed(*, campaign: Campaign) -> Petition:
    """Create or refresh the demo petition. Idempotent; the text is left alone once people signed."""
    petition = Petition.objects.filter(slug=campaign.slug).first()
    fields = {
        "campaign": campaign,
        "title": DEMO_PETITION_TITLE,
        "description": DEMO_PETITION_DESCRIPTION,
        "target_kind": Petition.TargetKind.OWN_MEMBERS,
        "goal": 100_000,
        "status": Petition.Status.OPEN,
    }
    if petition is None:
        return Petition.objects.create(slug=campaign.slug, petition_text=DEMO_PETITION_TEXT, **fields)
    if not petition.signatures.exists():
        fields["petition_text"] = DEMO_PETITION_TEXT
    for name, value in fields.items():
        setattr(petition, name, value)
    petition.save()
    return petition
