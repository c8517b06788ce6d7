"""Rate limits as DRF throttles on the shared cache (Redis when REDIS_URL is set).

Rates are settings (THROTTLE_RATES, one environment variable per scope); THROTTLES_ENABLED=false turns
every throttle off for load tests and benchmarks. Keys are keyed hashes, so the cache never holds an IP,
an email or a phone number in clear.
"""

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from infra.clientip import client_ip
from infra.privacy import keyed_hash


class _Scoped(SimpleRateThrottle):
    """A throttle whose scope comes from the view (set per request); no rate means no limit."""

    def __init__(self) -> None:
        pass  # the scope is known only once the view is

    def scope_for(self, view: object) -> str | None:
        raise NotImplementedError

    def get_rate(self) -> str | None:
        # An empty variable ("THROTTLE_SIGN_IP=") means no limit, as documented.
        rate: str | None = settings.THROTTLE_RATES.get(self.scope) if self.scope else None
        return rate or None

    # Any: throttle_wait passes plain stand-ins for a DRF request and view.
    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = self.scope_for(view)
        if not settings.THROTTLES_ENABLED or not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class ScopedIPThrottle(_Scoped):
    """Per client IP. The view names the scope with `throttle_scope_ip`."""

    def scope_for(self, view: object) -> str | None:
        scope: str | None = getattr(view, "throttle_scope_ip", None)
        return scope

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        # DRF's own get_ident trusts any X-Forwarded-For a client sends; ours trusts only our proxy's.
        return f"throttle:{self.scope}:{keyed_hash(client_ip(request), purpose='throttle-ip')}"


class ScopedFieldThrottle(_Scoped):
    """Per value of a request field (an email, a phone). The view sets `throttle_scope_field` and
    `throttle_field`; a request without the field is not limited here (validation rejects it)."""

    field: str | None = None

    def scope_for(self, view: object) -> str | None:
        self.field = getattr(view, "throttle_field", None)
        scope: str | None = getattr(view, "throttle_scope_field", None) if self.field else None
        return scope

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        # A malformed body raises ParseError here, which DRF answers as the 400 it is.
        data: Any = request.data
        field = self.field
        value = data.get(field) if field and hasattr(data, "get") else None
        if not field or not isinstance(value, str) or not value.strip():
            return None
        normalized = value.strip().lower()
        return f"throttle:{self.scope}:{keyed_hash(normalized, purpose='throttle-' + field)}"


def throttle_wait(
    request: HttpRequest,
    *,
    ip_scope: str | None,
    field_scope: str | None = None,
    field: str = "email",
    data: Mapping[str, Any] | None = None,
) -> int | None:
    """The API's scoped limits applied to a plain Django view (the field read from `data`, by default
    request.POST). Seconds to wait before the next attempt, or None when every limit allows this one."""
    if not settings.THROTTLES_ENABLED:
        return None
    view = SimpleNamespace(throttle_scope_ip=ip_scope, throttle_scope_field=field_scope, throttle_field=field)
    shim = SimpleNamespace(META=request.META, headers=request.headers, data=request.POST if data is None else data)
    waits: list[float] = []
    for throttle in (ScopedIPThrottle(), ScopedFieldThrottle()):
        if not throttle.allow_request(shim, view):
            waits.append(throttle.wait() or 60)
    return int(max(waits)) + 1 if waits else None
