import pytest
from django.core.cache import cache

from congress.selectors import current_snapshot
from contacts.models import Contact
from organizing.models import Campaign
from outreach.models import CwcOffice, LetterAction
from petitions.models import Petition, Signature
from tests.fakes.census import match_payload
from tests.fakes.cwc import FakeCwc

# One-line addresses the fake geocoder places: address -> (state, state FIPS, raw district, zip).
KNOWN_ADDRESSES = {
    "2460 Mission St, San Francisco, CA 94110": ("CA", "06", "11", "94110"),
    "1 E 31st St, Chicago, IL 60616": ("IL", "17", "07", "60616"),
    "149 Church St, Burlington, VT 05401": ("VT", "50", "00", "05401"),
}
HOUSE_OFFICES = [("HCA11", ""), ("HIL07", ""), ("HVT00", ""), ("HIL01", "")]
SENATE_OFFICES = [
    ("SCA03", "Alex Padilla [bioguide_id: P000145]"),
    ("SCA01", "Adam B. Schiff [bioguide_id: S001150]"),
    ("SIL02", "Richard J. Durbin [bioguide_id: D000563]"),
    ("SIL03", "Tammy Duckworth [bioguide_id: D000622]"),
    ("SVT01", "Bernard Sanders [bioguide_id: S000033]"),
    ("SVT02", "Peter Welch [bioguide_id: W000800]"),
]


@pytest.fixture(autouse=True)
def letters_settings(settings, fake_census):
    for address, (state, fips, district, zip5) in KNOWN_ADDRESSES.items():
        fake_census.add(
            address, match_payload(state=state, state_fips=fips, district=district, zip=zip5, address=address)
        )
    settings.LETTERS_RATE_GLOBAL = ""
    settings.LETTERS_RATE_PER_OFFICE = ""
    settings.THROTTLES_ENABLED = False
    settings.CWC_DELIVERY_AGENT = "Campaign Backend Tests"
    settings.CWC_ACK_EMAIL = "ack@example.org"
    settings.CWC_CONTACT_NAME = "Delivery Desk"
    settings.CWC_CONTACT_EMAIL = "desk@example.org"
    settings.CWC_CONTACT_PHONE = "+1 202 555 0100"
    settings.CWC_ORGANIZATION = "Example Advocacy"
    settings.HOUSE_CWC_URL = settings.HOUSE_CWC_API_KEY = ""
    settings.SENATE_CWC_URL = settings.SENATE_CWC_API_KEY = ""
    _clear_limits()
    yield settings
    _clear_limits()


def _clear_limits():
    from django.conf import settings

    cache.clear()
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter("letters:rate:*"):
            client.delete(key)


@pytest.fixture
def house_cwc(settings):
    with FakeCwc(api_key="house-key", offices=HOUSE_OFFICES, offices_shape="codes") as fake:
        settings.HOUSE_CWC_URL = fake.url
        settings.HOUSE_CWC_API_KEY = "house-key"
        yield fake


@pytest.fixture
def senate_cwc(settings):
    with FakeCwc(api_key="senate-key", offices=SENATE_OFFICES, offices_shape="objects") as fake:
        settings.SENATE_CWC_URL = fake.url
        settings.SENATE_CWC_API_KEY = "senate-key"
        yield fake


@pytest.fixture
def cwc(house_cwc, senate_cwc, db):
    """Both chambers configured, and their office lists synced the way production does it."""
    from outreach.services.letter_routes import cwc_offices_sync

    cwc_offices_sync(chamber="house")
    cwc_offices_sync(chamber="senate")
    assert CwcOffice.objects.count() == len(HOUSE_OFFICES) + len(SENATE_OFFICES)
    return house_cwc, senate_cwc


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(slug="face-recognition", name="Face recognition", status=Campaign.Status.ACTIVE)


@pytest.fixture
def action(campaign):
    return LetterAction.objects.create(
        campaign=campaign,
        slug="write-congress",
        title="Write to Congress",
        subject_template="Support a face recognition moratorium",
        body_template=(
            "Dear {legislator_title} {legislator_last_name},\n\nI live in {city} ({district}).\n\n{full_name}"
        ),
        subject_editable=True,
        message_editable=True,
        topics=["Civil Rights and Liberties, Minority Issues", "Crime and Law Enforcement"],
        bill_congress=119,
        bill_type="HR",
        bill_number=1234,
        stance="Pro",
    )


def letter_payload(**overrides):
    data = {
        "prefix": "Ms.",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.org",
        "phone": "415-555-0134",
        "address_line": "2460 Mission St",
        "locality": "San Francisco",
        "region": "CA",
        "postal_code": "94110",
        "message": "Face recognition in my neighbourhood worries me.",
        "consent": True,
    }
    data.update(overrides)
    return data


# --- Petition delivery: a petition and its signers ----------------------------------------------
@pytest.fixture
def petition(db):
    campaign = Campaign.objects.create(slug="frm", name="FRM", status=Campaign.Status.ACTIVE)
    return Petition.objects.create(
        campaign=campaign, slug="stop-face-recognition", title="Stop face recognition",
        petition_text="We ask Congress for a moratorium on face recognition.",
    )  # fmt: skip


def sign(petition, n, *, given, city, state, district, status="confirmed", congress=None):
    contact = Contact.objects.create(
        email=f"{given.lower()}{n}@example.org", given_name=given, family_name=f"Signer{n}", locality=city,
        region=state,
    )  # fmt: skip
    return Signature.objects.create(
        petition=petition, contact=contact, status=status, district_state=state, district=district,
        district_congress=congress or current_snapshot().congress,
    )  # fmt: skip
