"""The API's one error shape: {"message": "...", "errors": {"field": ["..."]}}, with the right status."""

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A service this request needs is unavailable; try again shortly."
    default_code = "unavailable"


class DomainError(Exception):
    """The base of every error a service raises for the caller to see: the API maps each one once, here,
    to the one error shape with its status. Subclasses set `status_code` and a default `message`; `errors`
    names fields ({"field": ["message", ...]}) when the problem is in the input."""

    status_code = 400
    message = "The request cannot be done."

    def __init__(self, message: str | None = None, errors: dict[str, list[str]] | None = None) -> None:
        self.message = message or self.message
        self.errors = errors or {}
        super().__init__(self.message)


def from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's django ValidationError as the API's 400, field by field."""
    return exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def error_body(message: str, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"message": message, "errors": errors or {}}


def _as_field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(k): _as_messages(v) for k, v in detail.items()}
    return {"non_field_errors": _as_messages(detail)}


def _as_messages(value: Any) -> dict[str, Any] | list[Any]:
    if isinstance(value, dict):
        return {str(k): _as_messages(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            return [_as_messages(v) for v in value]
        return [str(v) for v in value]
    return [str(value)]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.message, exc.errors), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        # A service's own validation (it validates before it saves): the caller's input, field by field.
        exc = from_django(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("Invalid input.", _as_field_errors(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body(f"Malformed request body: {exc.detail}", {})
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, dict | list):
            response.data = error_body("Request failed.", _as_field_errors(detail))
        else:
            response.data = error_body(str(detail), {})
    return response


def error_response(exc: exceptions.APIException | DomainError) -> JsonResponse:
    """What the API answers for `exc`, from a plain Django view (a hot path that skips DRF's dispatch):
    the same status, body and headers (Retry-After) as a DRF view would give."""
    response = api_exception_handler(exc, {})
    if response is None:  # DRF answers every APIException, and DomainError is ours: never happens
        raise exc
    answer = JsonResponse(response.data, status=response.status_code)
    for name, value in response.items():
        if name.lower() != "content-type":  # an unrendered DRF response still carries the HTML default
            answer[name] = value
    return answer


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def json_or_html(
    status_code: int, message: str, html_handler: Callable[..., HttpResponse]
) -> Callable[..., HttpResponse]:
    def handler(request: HttpRequest, exception: Exception | None = None, **kwargs: Any) -> HttpResponse:
        if _wants_json(request):
            return JsonResponse(error_body(message), status=status_code)
        if exception is not None:
            return html_handler(request, exception, **kwargs)
        return html_handler(request, **kwargs)

    return handler
