import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

log = logging.getLogger("campaign.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


# URL parts that carry a capability (signed tokens) are logged as their pattern, never their value.
_SECRET_KWARGS = frozenset({"token"})


def _loggable_path(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not (_SECRET_KWARGS & set(match.kwargs)):
        return request.path
    return "/" + str(match.route)


class RequestLogMiddleware:
    """One log line per request: id, method, path, status, time.

    The query string is left out on purpose: lookups take a street address and a ZIP there. Signed
    tokens in paths (confirmation and unsubscribe links) are replaced by their URL pattern.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.monotonic()
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex[:16]
        # For views and handlers that want to quote it (HttpRequest declares no such attribute).
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        log.info(
            "request id=%s method=%s path=%s status=%s ms=%.1f",
            request_id,
            request.method,
            _loggable_path(request),
            response.status_code,
            (time.monotonic() - began) * 1000,
        )
        return response
