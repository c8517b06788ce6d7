"""The signer's input, checked by plain functions: the sign path's validation without a DRF serializer.

A DRF serializer deep-copies its declared fields for every instance and runs each through several
layers; on the sign path that was a quarter of the request's CPU. These checks give the same results
and the same messages as DRF's CharField, EmailField and BooleanField (blank, null, "Not a valid
string.", length, null and surrogate characters, booleans in DRF's spellings), followed by our own
rules for the ZIP, the state and the phone. `SignatureIn` in petitions/api_sign.py is built from the same
table, so the API schema and these checks cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.datastructures import MultiValueDict
from rest_framework.fields import BooleanField

from congress import usps
from congress.selectors import ZIP_RE
from contacts.phones import InvalidPhone, normalize_us_phone

# (name, max length, required) for text fields, in the order errors are reported.
TEXT_FIELDS: tuple[tuple[str, int, bool], ...] = (
    ("given_name", 100, False),
    ("family_name", 100, False),
    ("email", 254, True),
    ("postal_code", 10, True),
    ("address_line", 200, False),
    ("locality", 100, False),
    ("region", 2, False),
    ("phone", 30, False),
    ("comment", 2000, False),
    ("source", 100, False),
    ("ref", 16, False),
    # Bot defence: a field people never see (bots fill it) and the signed time the form was served.
    ("website", 500, False),
    ("form_token", 200, False),
)
BOOL_FIELDS: tuple[str, ...] = ("public_display", "email_opt_in")
FORM_ONLY = ("website", "form_token")
INPUT_NAMES = tuple(name for name, _, _ in TEXT_FIELDS) + BOOL_FIELDS


REQUIRED = "This field is required."
NULL = "This field may not be null."
BLANK = "This field may not be blank."
NOT_A_STRING = "Not a valid string."
TOO_LONG = "Ensure this field has no more than {} characters."
NULL_CHARACTERS = "Null characters are not allowed."
SURROGATES = "Surrogate characters are not allowed: U+{:X}."
NOT_A_BOOLEAN = "Must be a valid boolean."
BAD_EMAIL = "Enter a valid email address."
BAD_ZIP = "Enter a 5-digit ZIP code (12345 or 12345-6789)."
UNKNOWN_ZIP = "This ZIP code does not exist."
BAD_STATE = "Enter a two-letter state abbreviation."
BAD_PHONE = "Enter a valid phone number."

_MISSING = object()


class Invalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(value, *, max_length: int, required: bool) -> str:
    if value is None:
        raise Invalid(NULL)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(NOT_A_STRING)
    text = str(value).strip()
    if not text:
        if required:
            raise Invalid(BLANK)
        return ""
    if len(text) > max_length:
        raise Invalid(TOO_LONG.format(max_length))
    if "\x00" in text:
        raise Invalid(NULL_CHARACTERS)
    if not text.isascii():
        for ch in text:
            if 0xD800 <= ord(ch) <= 0xDFFF:
                raise Invalid(SURROGATES.format(ord(ch)))
    return text


def _boolean(value) -> bool:
    if value is None:
        raise Invalid(NULL)
    key = value.lower() if isinstance(value, str) else value
    try:
        if key in BooleanField.TRUE_VALUES:
            return True
        if key in BooleanField.FALSE_VALUES:
            return False
    except TypeError:  # unhashable (a list or an object from JSON)
        pass
    raise Invalid(NOT_A_BOOLEAN)


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise Invalid(BAD_EMAIL) from exc
    return value


def _postal_code(value: str) -> str:
    found = ZIP_RE.match(value)
    if not found:
        raise Invalid(BAD_ZIP)
    if usps.zip_info(found.group(1)) is None:
        raise Invalid(UNKNOWN_ZIP)
    return found.group(1)


def _region(value: str) -> str:
    value = value.upper()
    if value not in usps.states():
        raise Invalid(BAD_STATE)
    return value


def _phone(value: str) -> str:
    # phonenumbers is slow to call; it runs only for the signers who give a phone.
    try:
        return normalize_us_phone(value)
    except InvalidPhone as exc:
        raise Invalid(BAD_PHONE) from exc


# Checks on a non-blank value, after the text checks passed.
_RULES = {"email": _email, "postal_code": _postal_code, "region": _region, "phone": _phone}


def signature_input_clean(data) -> tuple[dict, dict[str, list[str]]]:
    """(cleaned values, errors by field) for a JSON object or a form's QueryDict. Fields not sent get
    their defaults ("" or False); fields the signer may not send are ignored."""
    if not isinstance(data, Mapping):
        return {}, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(data).__name__}."]}
    if isinstance(data, MultiValueDict):
        # A form's last value per field, as QueryDict.get gives it; a plain dict answers the fields a
        # signer left out without QueryDict.get's two exceptions each (most fields are left out).
        data = data.dict()
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    get = data.get
    for name, max_length, required in TEXT_FIELDS:
        value = get(name, _MISSING)
        if value is _MISSING:
            if required:
                errors[name] = [REQUIRED]
            else:
                cleaned[name] = ""
            continue
        try:
            text = _text(value, max_length=max_length, required=required)
            rule = _RULES.get(name)
            cleaned[name] = rule(text) if rule is not None and text else text
        except Invalid as exc:
            errors[name] = [exc.message]
    for name in BOOL_FIELDS:
        value = get(name, _MISSING)
        if value is _MISSING:
            cleaned[name] = False
            continue
        try:
            cleaned[name] = _boolean(value)
        except Invalid as exc:
            errors[name] = [exc.message]
    return cleaned, errors
