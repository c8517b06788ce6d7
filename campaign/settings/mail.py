"""Email: the outgoing server and the sender of supporters' email (petition confirmations and thanks,
letters by email)."""

from .base import env

# EMAIL_URL: consolemail:// (embedded default), smtp://user:pass@host:587 , smtp+tls://..., smtp+ssl://...
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="campaign@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
ORGANIZATION_NAME = env.str("ORGANIZATION_NAME", default="The campaign")
