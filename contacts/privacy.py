"""Keyed hashing for values we must compare but never store in clear (IPs, user agents, phones for limits).

A plain hash of a phone number or an IPv4 address is reversible by enumeration; an HMAC with a secret
key is not. The key comes from PII_HASH_KEY (falls back to SECRET_KEY).
"""

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of `value`, separated by purpose so a hash from one table cannot be joined to another."""
    key = (settings.PII_HASH_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
