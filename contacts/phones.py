"""Phone numbers as the project stores them: parsed as US numbers, kept in E.164."""

import phonenumbers


class InvalidPhone(ValueError):
    """`unparseable` when the text is not a phone number at all, `invalid` when no such number exists."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_us_phone(raw: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse((raw or "").strip(), "US")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("unparseable") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("invalid")
    return number


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_us_phone(raw: str) -> str:
    """E.164 for a valid number (US by default); InvalidPhone otherwise."""
    return e164(parse_us_phone(raw))
