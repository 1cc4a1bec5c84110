"""Every error of the API in one shape: RFC 9457 problem details, as ``application/problem+json``.

``{"type": "about:blank", "title": "Conflict", "status": 409, "detail": "Only 1 copy left.", "code": "over_stock"}``
and, for bad input, ``errors``: the field's name (``limit``, ``items.3.price``) to its messages. ``type`` stays
``about:blank`` so ``title`` is the status's own phrase; ``code`` is the stable word a client branches on.

Bad query, path or header parameters answer 400; a body that parses but does not validate answers 422.
Domain refusals raised by the services become 4xx here, so an endpoint just calls the service.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from catalog.states import ListingStateError
from claims.errors import ClaimError
from core.states import IllegalTransition
from feedback.services import FeedbackError
from messaging.services import MessagingError
from orders.errors import BuyingError
from shipping.services import ShippingError

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    """Raise anywhere in an endpoint to answer a problem: ``ApiError(404, "Not found", "No such listing.")``."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        type: str = "about:blank",
        code: str | None = None,
    ):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.type = type
        self.code = code


def problem(
    status: int,
    detail: str = "",
    *,
    title: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    type: str = "about:blank",
    code: str | None = None,
) -> JsonResponse:
    """The response for one problem (``title`` defaults to the status's phrase)."""
    body: dict = {"type": type, "title": title or HTTPStatus(status).phrase, "status": status, "detail": str(detail)}
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=PROBLEM_JSON, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# The status of a domain refusal, by its code; anything else a service refuses is a 409 (the state of things does not
# allow it) or, for BuyingError codes about the request itself, a 400.
NOT_FOUND_CODES = {"line_not_found", "no_such_part", "not_your_shipment"}
BAD_REQUEST_CODES = {"invalid_quantity", "invalid_address", "invalid_token", "invalid_card", "invalid_key",
                     "invalid_amount", "cart_empty"}  # fmt: skip


def domain_status(code: str) -> int:
    if code in NOT_FOUND_CODES:
        return 404
    if code in BAD_REQUEST_CODES:
        return 400
    return 409


def _field_name(loc) -> str:
    # ninja reports ("query", "limit") for a plain parameter, ("query", "filters", "sort") for a field of a
    # parameter schema, ("body", "payload", "items", 3, "price") for the body: keep what names the field, and
    # leave out pydantic's tags of a union's member ("literal['a']", "function-after[...]").
    parts = [str(part) for part in loc if "[" not in str(part)]
    if parts and parts[0] in {"query", "path", "header", "cookie", "form", "file", "body"}:
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    return ".".join(parts) or "__all__"


def install_handlers(api: NinjaAPI) -> None:
    """Answer every exception the API can meet with a problem."""

    def on_api_error(request: HttpRequest, exc: ApiError):
        return problem(exc.status, exc.detail, title=exc.title, errors=exc.errors, headers=exc.headers,
                       type=exc.type, code=exc.code)  # fmt: skip

    def on_validation_error(request: HttpRequest, exc: NinjaValidationError):
        errors: dict[str, list[str]] = {}
        in_body = False
        for error in exc.errors:
            loc = error.get("loc") or ()
            in_body = in_body or (bool(loc) and loc[0] in {"body", "form", "file"})
            errors.setdefault(_field_name(loc), []).append(str(error.get("msg", "")))
        status = 422 if in_body else 400
        return problem(status, _("The request has invalid fields."), errors=errors, code="invalid")

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError):
        return problem(401, _("Send a valid token: Authorization: Bearer <token>."), code="not_authenticated",
                       headers={"WWW-Authenticate": 'Bearer realm="api"'})  # fmt: skip

    def on_throttled(request: HttpRequest, exc: Throttled):
        headers = {"Retry-After": str(max(1, int(exc.wait or 1)))}
        return problem(429, _("Too many requests: try again later."), code="rate_limited", headers=headers)

    def on_http_error(request: HttpRequest, exc: HttpError):
        return problem(exc.status_code, str(exc))

    def on_forbidden(request: HttpRequest, exc: Exception):
        return problem(403, str(exc) or _("You may not do this."), code="forbidden")

    def on_not_found(request: HttpRequest, exc: Http404):
        return problem(404, _("Not found."), code="not_found")

    def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return problem(400, _("The request has invalid fields."), errors=exc.message_dict, code="invalid")
        return problem(400, " ".join(exc.messages), code="invalid")

    def on_domain_error(request: HttpRequest, exc: Exception):
        code = getattr(exc, "code", "") or "conflict"
        message = getattr(exc, "message", None) or str(exc)
        errors = None
        if getattr(exc, "problems", None):  # orders' CheckoutError: one entry per line that cannot be bought
            errors = {f"lines.{p.line_id}": [str(p.message)] for p in exc.problems}
        return problem(domain_status(code), str(message), code=code, errors=errors)

    def on_illegal_transition(request: HttpRequest, exc: Exception):
        return problem(409, str(exc), code="illegal_transition")

    def on_unreadable_body(request: HttpRequest, exc: Exception):
        # A multipart body without its boundary, too many fields, a body cut short: the request, not us.
        if isinstance(exc, RequestDataTooBig):
            return problem(413, _("The request body is too large."), code="too_large")
        return problem(400, _("The request body cannot be read: %(error)s") % {"error": exc}, code="unreadable")

    def on_unexpected(request: HttpRequest, exc: Exception):
        if isinstance(exc, OperationalError | InterfaceError):
            raise exc  # bookstore.middleware answers 503 while the database is away
        logger.exception("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
        return problem(500, _("Something went wrong on our side."), code="server_error")

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(AuthorizationError, on_forbidden)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(DjangoValidationError, on_django_validation_error)
    for domain_error in (BuyingError, ShippingError, MessagingError, FeedbackError, ClaimError):
        api.add_exception_handler(domain_error, on_domain_error)
    api.add_exception_handler(ListingStateError, on_illegal_transition)
    api.add_exception_handler(IllegalTransition, on_illegal_transition)
    for unreadable in (MultiPartParserError, SuspiciousOperation, UnreadablePostError):
        api.add_exception_handler(unreadable, on_unreadable_body)
    api.add_exception_handler(Exception, on_unexpected)
