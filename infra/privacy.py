"""Keyed hashing for values we must compare but never store in clear (IPs, user agents, phones for limits).

A plain hash of a phone number or an IPv4 address is reversible by enumeration; an HMAC with a secret
key is not. The key comes from PII_HASH_KEY (falls back to SECRET_KEY).
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _keyed(key: str) -> hmac.HMAC:
    # The HMAC with its key already mixed in: copying it costs half of keying a new one, and a signer's
    # request hashes four values.
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def keyed_hash(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of `value`, separated by purpose so a hash from one table cannot be joined to another."""
    digest = _keyed(settings.PII_HASH_KEY or settings.SECRET_KEY).copy()
    digest.update(f"{purpose}\x00{value}".encode())
    return digest.hexdigest()
