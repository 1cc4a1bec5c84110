"""What the buyer, seller and message endpoints share: who calls, with which scopes, and how refusals read.

A token's scopes: ``read`` reads the caller's own data (cart, orders, inventory, sales, messages), ``buy``
reads and changes the buyer's side, ``sell`` the seller's. A session has every scope (``api.auth``).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path

from accounts.models import User
from accounts.verification import needs_confirmed_email
from api.auth import request_token, require_scope
from api.errors import ApiError
from core.numbers import MAX_ID

# Ids are the database's 64-bit integers: a larger number is a bad request, not an overflow in the driver.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def caller(request: HttpRequest) -> User:
    """The authenticated user (``request.auth``: a token's user or the session's)."""
    return request.auth


def require_reader(request: HttpRequest, scope: str) -> None:
    """Let a token with ``read`` or ``scope`` read; refuse (403) any other."""
    token = request_token(request)
    if token is not None and not token.has_scope("read"):
        require_scope(request, scope)


def require_seller(request: HttpRequest, *, write: bool = True) -> User:
    """The caller with the ``sell`` scope (or ``read`` when not ``write``), who must have a shop (403 otherwise)."""
    if write:
        require_scope(request, "sell")
    else:
        require_reader(request, "sell")
    user = caller(request)
    if not hasattr(user, "shop"):
        raise ApiError(403, "Forbidden", _("Open a shop before listing books."), code="no_shop")
    return user


def require_confirmed_email(request: HttpRequest) -> None:
    """Checking out and listing a book need a confirmed email address, as on the site (403 otherwise)."""
    if needs_confirmed_email(caller(request)):
        raise ApiError(
            403,
            "Forbidden",
            _("Confirm your email address first: orders, sales and shipping updates are sent to it."),
            code="email_unconfirmed",
        )


def invalid(errors: Mapping[str, list[str]], detail: str = "", *, code: str = "invalid") -> ApiError:
    """A 422 problem naming each bad field."""
    return ApiError(
        422,
        HTTPStatus(422).phrase,
        detail or _("The request has invalid fields."),
        errors={name: [str(m) for m in messages] for name, messages in errors.items()},
        code=code,
    )


def validation_error(exc: ValidationError, *, rename: Mapping[str, str] | None = None) -> ApiError:
    """A service's ValidationError as a 422 problem; errors that name no field are under ``__all__``."""
    if hasattr(exc, "error_dict"):
        errors = {(rename or {}).get(name, name): messages for name, messages in exc.message_dict.items()}
    else:
        errors = {"__all__": exc.messages}
    return invalid(errors, code=getattr(exc, "code", None) or "invalid")


def form_error(form) -> ApiError:
    """A Django form's errors as a 422 problem."""
    return invalid({name: list(messages) for name, messages in form.errors.items()})


def not_found(detail: str = "") -> ApiError:
    return ApiError(404, "Not Found", detail or _("Not found."), code="not_found")


def created_at(request: HttpRequest, response: HttpResponse, path: str) -> None:
    """Set the Location of a resource just made (an absolute URL)."""
    response["Location"] = request.build_absolute_uri(path)
