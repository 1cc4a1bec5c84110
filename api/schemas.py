"""Output schemas shared by every router."""

from __future__ import annotations

from ninja import Schema


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    code: str | None = None
    errors: dict[str, list[str]] | None = None
