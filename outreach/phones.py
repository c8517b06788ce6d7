"""Phones and addresses for calls: the numbers we may dial, and the keyed hashes limits and blocks compare.

Outside `services` on purpose: the call action's own validation (outreach/models/call_rules.py) normalizes
phones too, and the models never import the services.
"""

from __future__ import annotations

import ipaddress

import phonenumbers

from contacts.phones import InvalidPhone, e164, parse_us_phone
from infra.privacy import keyed_hash

# The regions that elect members of Congress and share the +1 plan; every other country is refused.
PHONE_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})
_PERSON_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
    }
)
# Agency switchboards are often toll-free; premium-rate and shared-cost numbers are never dialed.
_OFFICE_TYPES = _PERSON_TYPES | {phonenumbers.PhoneNumberType.TOLL_FREE}


class PhoneRejected(ValueError):
    pass


def phone_normalize(raw: str, *, office: bool = False) -> str:
    """E.164 for a US (or US territory) number a person or office answers; PhoneRejected otherwise."""
    try:
        number = parse_us_phone(raw)
    except InvalidPhone as exc:
        if exc.reason == "unparseable":
            raise PhoneRejected("Enter a US phone number, like 802-555-0123.") from exc
        raise PhoneRejected("This is not a valid phone number.") from exc
    if phonenumbers.region_code_for_number(number) not in PHONE_REGIONS:
        raise PhoneRejected("Only US phone numbers can be called.")
    if phonenumbers.number_type(number) not in (_OFFICE_TYPES if office else _PERSON_TYPES):
        raise PhoneRejected("Premium-rate, toll-free and other special numbers cannot be called.")
    return e164(number)


def office_phone(raw: str) -> str:
    """An office's number in E.164, or "" when it is not one we may dial."""
    try:
        return phone_normalize(raw, office=True)
    except PhoneRejected:
        return ""


def phone_hash(e164: str) -> str:
    return keyed_hash(e164, purpose="call-phone")


def ip_normalize(ip: str) -> str:
    """One spelling per address ("0:0:0:0:0:0:0:1" is "::1"), so a block matches however it was typed."""
    return ipaddress.ip_address(ip.strip()).compressed


def ip_hash(ip: str) -> str:
    try:
        ip = ip_normalize(ip)
    except ValueError:
        ip = ip.strip()
    return keyed_hash(ip, purpose="call-ip")
