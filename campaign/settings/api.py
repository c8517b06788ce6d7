"""The API: Django REST framework, the OpenAPI schema (drf-spectacular) and the rate limits.

Later modules add their scopes to THROTTLE_RATES.
"""

from .base import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Permissions are on by default: public endpoints opt out explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "infra.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Campaign backend API",
    "DESCRIPTION": "Petitions, calls and letters to Congress.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # The docs page's assets are served by us, so it works offline and loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Rate limits (infra/throttles.py). Each scope's rate is "N/second|minute|hour|day", or empty for none.
THROTTLES_ENABLED = env.bool("THROTTLES_ENABLED", default=True)
THROTTLE_RATES: dict[str, str | None] = {}
# Each address lookup may cost a Census Geocoder request; ZIP-only lookups are not limited.
THROTTLE_RATES["lookup_address_ip"] = env.str("THROTTLE_LOOKUP_ADDRESS_IP", default="30/minute")
