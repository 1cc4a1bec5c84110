"""Cursor pagination: pages that stay right while rows are added.

A page is the rows strictly after the last row of the previous page in a total order (one that ends with the
primary key), so a listing published while a client pages never repeats or hides another. The cursor is the
last row's sort key, as opaque urlsafe base64 of JSON; a cursor that does not decode, or was made for another
sort order, is a 400.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from api.errors import ApiError

MAX_CURSOR_LENGTH = 1000


def _plain(value):
    # Every digit kept: DjangoJSONEncoder would cut a time to milliseconds, and the next page would skip rows.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(values: Sequence, tag: str = "") -> str:
    raw = json.dumps({"k": [_plain(value) for value in values], "t": tag}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int, tag: str = "") -> list:
    """The sort key in ``cursor``; ApiError(400) unless it holds ``size`` plain values made for ``tag``."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = data["k"]
        if data.get("t", "") != tag or not isinstance(values, list) or len(values) != size:
            raise ValueError
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise _invalid_cursor() from None
    return values


def _invalid_cursor() -> ApiError:
    message = _("This cursor is not one we gave for this list: start again without it.")
    return ApiError(400, "Bad Request", message, errors={"cursor": [message]}, code="invalid_cursor")


def typed_values(model: type[Model], ordering: Sequence[str], values: Sequence) -> list:
    """The cursor's ``values`` as the fields of ``ordering`` hold them (a date from its text, a number in the
    column's range); ApiError(400) for any that is not such a value. A cursor is opaque, but a client can still
    make one up: a word where a date was, or 10**30 for an id, is refused here rather than by the database."""
    try:
        return [_typed(model, field.lstrip("-"), value) for field, value in zip(ordering, values, strict=True)]
    except (ValidationError, ValueError, TypeError, OverflowError, ArithmeticError):
        raise _invalid_cursor() from None


def _typed(model: type[Model], name: str, value):
    field = _model_field(model, name)
    if field is None:  # an annotation (a relevance): a plain finite number or text
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(name)
        return value
    typed = field.to_python(value)
    if typed is None:
        raise ValueError(name)
    field.run_validators(typed)
    return typed


def _model_field(model: type[Model], name: str) -> Field | None:
    """The model field that ``name`` ("price", "book__title") orders by, None for an annotation."""
    options = model._meta
    field = None
    for part in name.split("__"):
        if field is not None:
            if not field.is_relation:
                return None
            options = field.related_model._meta
        try:
            field = options.get_field(part)
        except FieldDoesNotExist:
            return None
    return field


def after(ordering: Sequence[str], values: Sequence) -> Q:
    """Rows strictly after the row whose sort key is ``values`` in ``ordering`` (fields may mix directions)."""
    clauses = []
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        equal = {f.lstrip("-"): value for f, value in zip(ordering[:index], values[:index], strict=True)}
        step = {f"{name}__{'lt' if field.startswith('-') else 'gt'}": values[index]}
        clauses.append(Q(**equal, **step))
    return reduce(or_, clauses)


def _value(row, field: str):
    name = field.lstrip("-")
    return row[name] if isinstance(row, dict) else getattr(row, name)


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    limit: int,
    cursor: str | None,
    tag: str = "",
) -> tuple[list, str | None]:
    """One page of ``queryset`` in ``ordering`` (ending with a unique field) after ``cursor``, and the cursor of the
    next page (None on the last). One query. ``tag`` names the order, so a cursor is refused for another one."""
    if cursor:
        values = typed_values(queryset.model, ordering, decode_cursor(cursor, len(ordering), tag))
        queryset = queryset.filter(after(ordering, values))
    rows = list(queryset.order_by(*ordering)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor([_value(rows[-1], field) for field in ordering], tag)
