"""Calls: Twilio (or the console backend), office hours and the limits on who may start a call
(outreach/telephony, outreach/services/calls.py and call_*.py)."""

from django.core.exceptions import ImproperlyConfigured

from .api import THROTTLE_RATES
from .base import env

TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_CALLER_ID = env.str("TWILIO_CALLER_ID", default="")
TWILIO_API_URL = env.str("TWILIO_API_URL", default="https://api.twilio.com").rstrip("/")
TWILIO_TIMEOUT = env.float("TWILIO_TIMEOUT", default=10.0)
# console: no network; logs what it would do and plays the call through our own webhooks in-process.
TELEPHONY_BACKEND = env.str("TELEPHONY_BACKEND", default="twilio" if TWILIO_ACCOUNT_SID else "console")
if TELEPHONY_BACKEND not in ("twilio", "console"):
    raise ImproperlyConfigured(f"TELEPHONY_BACKEND must be twilio or console, not {TELEPHONY_BACKEND!r}")
if TELEPHONY_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_CALLER_ID):
    raise ImproperlyConfigured(
        "TELEPHONY_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_CALLER_ID"
    )
if not TWILIO_CALLER_ID:
    TWILIO_CALLER_ID = "+12025550100"  # console only: never dialed
# off: dial offices at any hour (campaigns that want voicemails left, tests).
CALL_OFFICE_HOURS = env.bool("CALL_OFFICE_HOURS", default=True)
CALL_PHONE_DAILY_LIMIT = env.int("CALL_PHONE_DAILY_LIMIT", default=3)
# Sessions started from one IP address per hour; 0 turns the limit off. THROTTLES_ENABLED=false also does.
CALL_IP_HOURLY_LIMIT = env.int("CALL_IP_HOURLY_LIMIT", default=20)
CALL_DIAL_TIMEOUT = env.int("CALL_DIAL_TIMEOUT", default=30)
CALL_VOICE = env.str("CALL_VOICE", default="Polly.Joanna")
# Sessions still queued or placing after this many minutes are marked failed by the sweep job.
CALL_STUCK_MINUTES = env.int("CALL_STUCK_MINUTES", default=15)
# Supporters' phone numbers are blanked on sessions older than this (the keyed hash stays); 0 keeps them.
CALL_PHONE_RETENTION_DAYS = env.int("CALL_PHONE_RETENTION_DAYS", default=30)
THROTTLE_RATES["call_start_ip"] = env.str("THROTTLE_CALL_START_IP", default="10/minute")
THROTTLE_RATES["call_feedback_ip"] = env.str("THROTTLE_CALL_FEEDBACK_IP", default="30/minute")
