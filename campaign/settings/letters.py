"""Letters: CWC (Communicating with Congress), email to offices, the outbox, moderation, delivery rates
and retries."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .api import THROTTLE_RATES
from .base import PUBLIC_BASE_URL, env

# CWC (Communicating with Congress): a chamber is used only when both its URL and its key are set.
HOUSE_CWC_URL = env.str("HOUSE_CWC_URL", default="").rstrip("/")
HOUSE_CWC_API_KEY = env.str("HOUSE_CWC_API_KEY", default="")
SENATE_CWC_URL = env.str("SENATE_CWC_URL", default="").rstrip("/")
SENATE_CWC_API_KEY = env.str("SENATE_CWC_API_KEY", default="")
CWC_DELIVERY_AGENT = env.str("CWC_DELIVERY_AGENT", default="")
CWC_ACK_EMAIL = env.str("CWC_ACK_EMAIL", default="")
CWC_CONTACT_NAME = env.str("CWC_CONTACT_NAME", default="")
CWC_CONTACT_EMAIL = env.str("CWC_CONTACT_EMAIL", default="")
CWC_CONTACT_PHONE = env.str("CWC_CONTACT_PHONE", default="")
CWC_ORGANIZATION = env.str("CWC_ORGANIZATION", default="")
CWC_ORGANIZATION_ABOUT = env.str("CWC_ORGANIZATION_ABOUT", default="")
CWC_CONNECT_TIMEOUT = env.float("CWC_CONNECT_TIMEOUT", default=5.0)
CWC_TIMEOUT = env.float("CWC_TIMEOUT", default=30.0)
if (HOUSE_CWC_URL and HOUSE_CWC_API_KEY) or (SENATE_CWC_URL and SENATE_CWC_API_KEY):
    _missing_cwc = [
        name
        for name in (
            "CWC_DELIVERY_AGENT",
            "CWC_ACK_EMAIL",
            "CWC_CONTACT_NAME",
            "CWC_CONTACT_EMAIL",
            "CWC_CONTACT_PHONE",
        )
        if not globals()[name]
    ]
    if _missing_cwc:
        raise ImproperlyConfigured(f"CWC delivery is configured but these are not set: {', '.join(_missing_cwc)}")
# Offices on no other channel keep letters for a printable batch. Off: they get "needs web form".
LETTERS_OUTBOX_ENABLED = env.bool("LETTERS_OUTBOX_ENABLED", default=True)
LETTERS_EMAIL_FROM = env.str("LETTERS_EMAIL_FROM", default="letters@localhost")
LETTERS_EMAIL_MESSAGE_ID_DOMAIN = env.str("LETTERS_EMAIL_MESSAGE_ID_DOMAIN", default=urlsplit(PUBLIC_BASE_URL).hostname)
LETTERS_PREFIXES = env.list(
    "LETTERS_PREFIXES", default=["Mr.", "Ms.", "Mrs.", "Mx.", "Miss", "Dr.", "Rev.", "Prof.", "Hon."]
)
LETTERS_MESSAGE_MAX_LENGTH = env.int("LETTERS_MESSAGE_MAX_LENGTH", default=5000)
# Moderation of the writer's own words: regular expressions (case-insensitive), a soft length and links.
LETTERS_MODERATION_PATTERNS = env.json(
    "LETTERS_MODERATION_PATTERNS",
    default=[
        r"\b(kill|shoot|stab|murder|behead|lynch|hang)(ed|ing|s)?\b",
        r"\b(bomb|explosive|gun ?down|assassinat\w*)\b",
        r"\b(you|your family) (will|gonna|are going to) (die|pay|suffer|regret)\b",
        r"\bf+u+c+k+\w*|\bsh[i1]t+\w*|\bc+u+n+t+\w*",
    ],
)
LETTERS_MODERATION_MAX_LENGTH = env.int("LETTERS_MODERATION_MAX_LENGTH", default=3000)
LETTERS_MODERATION_MAX_LINKS = env.int("LETTERS_MODERATION_MAX_LINKS", default=1)
# Delivery: rates are "N/second|minute|hour" or empty for none; shared by all workers through the cache.
LETTERS_RATE_GLOBAL = env.str("LETTERS_RATE_GLOBAL", default="50/second")
LETTERS_RATE_PER_OFFICE = env.str("LETTERS_RATE_PER_OFFICE", default="60/minute")
LETTERS_RETRY_BASE_SECONDS = env.float("LETTERS_RETRY_BASE_SECONDS", default=30.0)
LETTERS_RETRY_MAX_SECONDS = env.float("LETTERS_RETRY_MAX_SECONDS", default=1800.0)
LETTERS_MAX_AGE_SECONDS = env.int("LETTERS_MAX_AGE_SECONDS", default=3 * 24 * 3600)
# A "sending" claim older than this is taken over; it must exceed CWC_CONNECT_TIMEOUT + CWC_TIMEOUT.
LETTERS_SENDING_STALE_SECONDS = env.int("LETTERS_SENDING_STALE_SECONDS", default=120)
LETTERS_SWEEP_GRACE_SECONDS = env.int("LETTERS_SWEEP_GRACE_SECONDS", default=300)
if LETTERS_SENDING_STALE_SECONDS <= CWC_CONNECT_TIMEOUT + CWC_TIMEOUT:
    raise ImproperlyConfigured("LETTERS_SENDING_STALE_SECONDS must exceed CWC_CONNECT_TIMEOUT + CWC_TIMEOUT")
THROTTLE_RATES["letter_ip"] = env.str("THROTTLE_LETTER_IP", default="30/minute")
THROTTLE_RATES["letter_email"] = env.str("THROTTLE_LETTER_EMAIL", default="10/hour")
