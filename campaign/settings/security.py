"""Security: the proxy in front, cookies, response headers, and the key of the keyed hashes."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import DEBUG, PUBLIC_BASE_URL, env

# Behind a TLS-terminating proxy the scheme comes from X-Forwarded-Proto. Twilio signatures are checked
# against PUBLIC_BASE_URL, never against the Host header.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if urlsplit(PUBLIC_BASE_URL).scheme == "https" and not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Keyed hashes of IPs, user agents and phones (infra/privacy.py). Rotating it breaks rate-limit
# history and duplicate detection, nothing else.
PII_HASH_KEY = env.str("PII_HASH_KEY", default="")

# Days the keyed hashes of IPs (and signers' user agents) are kept on signatures, consent records and call
# sessions before they are blanked (daily jobs, docs/privacy.md); 0 keeps them. They serve rate limits
# (an hour at most) and abuse checks on recent activity, nothing later.
RETENTION_IP_HASH_DAYS = env.int("RETENTION_IP_HASH_DAYS", default=90)
if RETENTION_IP_HASH_DAYS < 0:
    raise ImproperlyConfigured("RETENTION_IP_HASH_DAYS must be 0 (keep) or a number of days")
