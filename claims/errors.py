"""Refusals of the claim services: a stable ``code`` and a translatable ``message`` a page may show.

``core.states.IllegalTransition`` is different: the claim already moved on (a stale page) or a bug.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ClaimError(Exception):
    """Codes: ``not_allowed``, ``not_eligible``, ``claim_in_progress``, ``invalid_message``, ``too_many_photos``,
    ``invalid_amount``, ``nothing_to_refund``, ``not_paid``, ``invalid_address``, ``invalid_reason``."""

    def __init__(self, message=None, *, code: str = "error"):
        self.code = code
        self.message = message if message is not None else _("This action is not possible.")
        super().__init__(str(self.message))
