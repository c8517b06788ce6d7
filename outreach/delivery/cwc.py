"""Communicating with Congress (CWC): the House and Senate APIs for constituent messages.

Both chambers take the same XML (docs/cwc.md lists its elements), so one builder serves both; only the
base URL and the API key differ. Errors are typed: CwcTransientError (5xx, timeouts, dropped connections:
retry with the same DeliveryId) and CwcPermanentError (4xx: the API refused this message and says why in
<Error> elements; retrying would be refused again).
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML here and parse our own vendor API's replies
from dataclasses import dataclass, field
from datetime import date

import requests
from django.conf import settings

from outreach.delivery import PermanentDeliveryError, TransientDeliveryError

CWC_VERSION = "2.0"
# The Library of Congress policy areas: CWC accepts only these as LibraryOfCongressTopic.
LOC_POLICY_AREAS = (
    "Agriculture and Food",
    "Animals",
    "Armed Forces and National Security",
    "Arts, Culture, Religion",
    "Civil Rights and Liberties, Minority Issues",
    "Commerce",
    "Congress",
    "Crime and Law Enforcement",
    "Economics and Public Finance",
    "Education",
    "Emergency Management",
    "Energy",
    "Environmental Protection",
    "Families",
    "Finance and Financial Sector",
    "Foreign Trade and International Finance",
    "Government Operations and Politics",
    "Health",
    "Housing and Community Development",
    "Immigration",
    "International Affairs",
    "Labor and Employment",
    "Law",
    "Native Americans",
    "Private Legislation",
    "Public Lands and Natural Resources",
    "Science, Technology, Communications",
    "Social Sciences and History",
    "Social Welfare",
    "Sports and Recreation",
    "Taxation",
    "Transportation and Public Works",
    "Water Resources Development",
)
HOUSE = "house"
SENATE = "senate"
_BIOGUIDE_IN_NAME = re.compile(r"\[bioguide_id:\s*([A-Z]\d{6})\]")
_OFFICE_CODE = re.compile(r"^[HS][A-Z]{2}\d{2}$")
_DIGITS = re.compile(r"\D")


class CwcNotConfigured(PermanentDeliveryError):
    """No base URL or API key for this chamber."""


class CwcTransientError(TransientDeliveryError):
    pass


class CwcPermanentError(PermanentDeliveryError):
    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


@dataclass(frozen=True)
class DeliveryAgent:
    name: str
    ack_email: str
    contact_name: str
    contact_email: str
    contact_phone: str
    organization: str = ""
    organization_about: str = ""

    @classmethod
    def from_settings(cls) -> DeliveryAgent:
        return cls(
            name=settings.CWC_DELIVERY_AGENT,
            ack_email=settings.CWC_ACK_EMAIL,
            contact_name=settings.CWC_CONTACT_NAME,
            contact_email=settings.CWC_CONTACT_EMAIL,
            contact_phone=settings.CWC_CONTACT_PHONE,
            organization=settings.CWC_ORGANIZATION,
            organization_about=settings.CWC_ORGANIZATION_ABOUT,
        )


@dataclass(frozen=True)
class Constituent:
    prefix: str
    first_name: str
    last_name: str
    address1: str
    city: str
    state: str
    zip: str
    email: str
    phone: str = ""
    address_validated: bool = False


@dataclass(frozen=True)
class CwcMessage:
    delivery_id: str
    delivery_date: date
    campaign_id: str
    office_code: str
    constituent: Constituent
    subject: str
    topics: list[str]
    organization_statement: str = ""
    constituent_message: str = ""
    bill: tuple[int, str, int] | None = None  # (congress, type abbreviation, number)
    pro_or_con: str = ""
    more_info: str = ""
    newsletter_opt_in: bool = False
    response_requested: bool = True
    agent: DeliveryAgent = field(default_factory=DeliveryAgent.from_settings)


def cwc_phone(phone: str) -> str:
    """CWC wants 202-555-0100: ten digits, dashes, no country code."""
    digits = _DIGITS.sub("", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return ""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def build_message_xml(msg: CwcMessage) -> bytes:
    """The one XML builder for both chambers. Element order follows docs/cwc.md."""
    if len(msg.delivery_id) > 32:
        raise ValueError("DeliveryId is at most 32 characters")
    if not msg.topics:
        raise ValueError("a CWC message needs at least one Library of Congress topic")
    if not (msg.organization_statement or msg.constituent_message):
        raise ValueError("a CWC message needs an OrganizationStatement or a ConstituentMessage")
    agent = msg.agent
    root = ET.Element("CWC")
    _sub(root, "CWCVersion", CWC_VERSION)

    delivery = _sub(root, "Delivery")
    _sub(delivery, "DeliveryId", msg.delivery_id)
    _sub(delivery, "DeliveryDate", msg.delivery_date.strftime("%Y%m%d"))
    _sub(delivery, "DeliveryAgent", agent.name)
    _sub(delivery, "DeliveryAgentAckEmailAddress", agent.ack_email)
    contact = _sub(delivery, "DeliveryAgentContact")
    _sub(contact, "DeliveryAgentContactName", agent.contact_name)
    _sub(contact, "DeliveryAgentContactEmail", agent.contact_email)
    _sub(contact, "DeliveryAgentContactPhone", cwc_phone(agent.contact_phone) or agent.contact_phone)
    if agent.organization:
        _sub(delivery, "Organization", agent.organization)
        org_contact = _sub(delivery, "OrganizationContact")
        _sub(org_contact, "OrganizationContactName", agent.contact_name)
        _sub(org_contact, "OrganizationContactEmail", agent.contact_email)
        _sub(org_contact, "OrganizationContactPhone", cwc_phone(agent.contact_phone) or agent.contact_phone)
        if agent.organization_about:
            _sub(delivery, "OrganizationAbout", agent.organization_about)
    _sub(delivery, "CampaignId", msg.campaign_id)

    recipient = _sub(root, "Recipient")
    _sub(recipient, "MemberOffice", msg.office_code)
    _sub(recipient, "IsResponseRequested", "Y" if msg.response_requested else "N")
    _sub(recipient, "NewsletterOptIn", "Y" if msg.newsletter_opt_in else "N")

    person = msg.constituent
    constituent = _sub(root, "Constituent")
    _sub(constituent, "Prefix", person.prefix)
    _sub(constituent, "FirstName", person.first_name)
    _sub(constituent, "LastName", person.last_name)
    _sub(constituent, "Address1", person.address1)
    _sub(constituent, "City", person.city)
    _sub(constituent, "StateAbbreviation", person.state)
    _sub(constituent, "Zip", person.zip)
    phone = cwc_phone(person.phone)
    if phone:
        _sub(constituent, "Phone", phone)
    if person.address_validated:
        _sub(constituent, "AddressValidation", "Y")
    _sub(constituent, "Email", person.email)

    message = _sub(root, "Message")
    _sub(message, "Subject", msg.subject)
    topics = _sub(message, "LibraryOfCongressTopics")
    for topic in msg.topics:
        _sub(topics, "LibraryOfCongressTopic", topic)
    if msg.bill:
        bills = _sub(message, "Bills")
        bill = _sub(bills, "Bill")
        _sub(bill, "BillCongress", str(msg.bill[0]))
        _sub(bill, "BillTypeAbbreviation", msg.bill[1])
        _sub(bill, "BillNumber", str(msg.bill[2]))
    if msg.pro_or_con:
        _sub(message, "ProOrCon", msg.pro_or_con)
    if msg.organization_statement:
        _sub(message, "OrganizationStatement", msg.organization_statement)
    if msg.constituent_message:
        _sub(message, "ConstituentMessage", msg.constituent_message)
    if msg.more_info:
        _sub(message, "MoreInfo", msg.more_info)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- HTTP client ------------------------------------------------------------------------------------

_sessions: dict[int, requests.Session] = {}
_proxies: dict[str, dict] = {}


def _session() -> requests.Session:
    # One keep-alive session per process: prefork workers must not share a parent's sockets.
    pid = os.getpid()
    if pid not in _sessions:
        _sessions.clear()
        _proxies.clear()
        session = requests.Session()
        # requests re-reads the proxy and CA variables from the environment on every request, a measurable
        # share of a delivery at hundreds of letters a second; they are read once per process instead.
        session.trust_env = False
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        _sessions[pid] = session
    return _sessions[pid]


def _proxies_for(base: str) -> dict:
    if base not in _proxies:
        _proxies[base] = requests.utils.get_environ_proxies(base)
    return _proxies[base]


def _endpoint(chamber: str) -> tuple[str, str]:
    if chamber == HOUSE:
        base, key = settings.HOUSE_CWC_URL, settings.HOUSE_CWC_API_KEY
    elif chamber == SENATE:
        base, key = settings.SENATE_CWC_URL, settings.SENATE_CWC_API_KEY
    else:
        raise ValueError(f"unknown chamber {chamber!r}")
    if not base or not key:
        raise CwcNotConfigured(f"CWC for the {chamber} is not configured")
    return base.rstrip("/"), key


def is_configured(chamber: str) -> bool:
    try:
        _endpoint(chamber)
    except CwcNotConfigured:
        return False
    return True


def parse_errors(body: bytes | str) -> list[str]:
    """The text of every <Error> element in a CWC error reply (or the body itself if it is not XML)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        root = ET.fromstring(text[:100_000])  # noqa: S314 - the reply of our own configured CWC endpoint
    except ET.ParseError:
        return [text.strip()[:500]] if text.strip() else []
    errors = [(el.text or "").strip() for el in root.iter("Error")]
    return [e for e in errors if e] or [text.strip()[:500]]


def send_message(*, chamber: str, xml: bytes, validate_only: bool = False) -> None:
    """POST one message. Returns when the API accepted it; raises CwcTransientError/CwcPermanentError."""
    base, key = _endpoint(chamber)
    url = f"{base}/v2/{'validate' if validate_only else 'message'}"
    try:
        response = _session().post(
            url,
            params={"apikey": key},
            data=xml,
            headers={"Content-Type": "application/xml"},
            proxies=_proxies_for(base),
            timeout=(settings.CWC_CONNECT_TIMEOUT, settings.CWC_TIMEOUT),
        )
    except requests.RequestException as exc:
        # Includes read timeouts: the office may have received the message; the retry reuses the
        # DeliveryId so the office drops the duplicate.
        raise CwcTransientError(f"{chamber} CWC: {type(exc).__name__}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise CwcTransientError(f"{chamber} CWC: HTTP {response.status_code}")
    if response.status_code >= 400:
        errors = parse_errors(response.content)
        raise CwcPermanentError(f"{chamber} CWC: HTTP {response.status_code}: {'; '.join(errors)}", errors)
    if response.status_code not in (200, 201, 202, 204):
        raise CwcTransientError(f"{chamber} CWC: unexpected HTTP {response.status_code}")


@dataclass(frozen=True)
class OfficeListing:
    code: str
    name: str = ""
    bioguide_id: str = ""


def parse_offices(payload) -> list[OfficeListing]:
    """Accept both shapes seen in the wild: ["HAK00", ...] and [{"name": ..., "office_code": ...}, ...]."""
    if isinstance(payload, dict):
        # Some listings wrap the array; take the first list value.
        payload = next((v for v in payload.values() if isinstance(v, list)), [])
    offices = []
    for item in payload or []:
        if isinstance(item, str):
            code, name = item.strip(), ""
        elif isinstance(item, dict):
            code = str(item.get("office_code") or item.get("code") or "").strip()
            name = str(item.get("name") or "").strip()
        else:
            continue
        if not _OFFICE_CODE.match(code):
            continue
        found = _BIOGUIDE_IN_NAME.search(name)
        offices.append(OfficeListing(code=code, name=name, bioguide_id=found.group(1) if found else ""))
    return offices


def list_offices(*, chamber: str) -> list[OfficeListing]:
    base, key = _endpoint(chamber)
    try:
        response = _session().get(
            f"{base}/offices",
            params={"apikey": key},
            proxies=_proxies_for(base),
            timeout=(settings.CWC_CONNECT_TIMEOUT, settings.CWC_TIMEOUT),
        )
    except requests.RequestException as exc:
        raise CwcTransientError(f"{chamber} CWC offices: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise CwcTransientError(f"{chamber} CWC offices: HTTP {response.status_code}")
    if response.status_code != 200:
        raise CwcPermanentError(f"{chamber} CWC offices: HTTP {response.status_code}", parse_errors(response.content))
    try:
        return parse_offices(json.loads(response.content))
    except ValueError as exc:
        raise CwcPermanentError(f"{chamber} CWC offices: the reply is not JSON") from exc
