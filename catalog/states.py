"""The listing state machine: every allowed status change, the seller's and staff's, is listed here, once.

Sellers publish, pause, resume and retire their listings (catalog.services.listings); staff hide and unhide
them (catalog.services.moderation). Both call :func:`check_transition` before they assign ``status``. A move
the table does not give to whoever asks raises :class:`IllegalTransition`, whose text is a message for that
person: it means a stale page or a click on something no longer possible, so views and admin actions show it
rather than fail. An archived listing is also read-only for edits that change no status (ensure_editable).
"""

import enum

from django.utils.translation import gettext, gettext_lazy

from catalog.models import Listing

Status = Listing.Status


class Actor(enum.StrEnum):
    """Who makes a status change."""

    SELLER = "seller"
    STAFF = "staff"


# (from, to) -> who may make that move. "Hidden" is staff's to set and clear, so no seller move leads into or
# out of it except retiring the listing; staff never publish, pause, resume or retire a listing.
LISTING_TRANSITIONS: dict[tuple[str, str], Actor] = {
    (Status.DRAFT, Status.ACTIVE): Actor.SELLER,  # publish
    (Status.ACTIVE, Status.PAUSED): Actor.SELLER,  # pause
    (Status.PAUSED, Status.ACTIVE): Actor.SELLER,  # resume
    (Status.DRAFT, Status.ARCHIVED): Actor.SELLER,  # delete, when the listing has to stay on record
    (Status.ACTIVE, Status.ARCHIVED): Actor.SELLER,
    (Status.PAUSED, Status.ARCHIVED): Actor.SELLER,
    (Status.HIDDEN, Status.ARCHIVED): Actor.SELLER,
    (Status.DRAFT, Status.HIDDEN): Actor.STAFF,  # hide
    (Status.ACTIVE, Status.HIDDEN): Actor.STAFF,
    (Status.PAUSED, Status.HIDDEN): Actor.STAFF,
    (Status.HIDDEN, Status.DRAFT): Actor.STAFF,  # unhide, back to the status it had
    (Status.HIDDEN, Status.ACTIVE): Actor.STAFF,
    (Status.HIDDEN, Status.PAUSED): Actor.STAFF,
}


class ListingStateError(Exception):
    """The listing's status does not allow what was asked; str() is a message for whoever asked."""


class IllegalTransition(ListingStateError):
    """A status change that LISTING_TRANSITIONS does not give to ``by``."""

    def __init__(self, listing: Listing, target: str, by: Actor):
        self.listing_id = listing.pk
        self.current = listing.status
        self.target = target
        self.by = by
        super().__init__(_refusal(listing, target, by))


def _refusal(listing: Listing, target: str, by: Actor) -> str:
    status = Status(listing.status).label
    if by == Actor.STAFF:
        # Staff act on many listings at once from the admin, so the message names the listing.
        if target == Status.HIDDEN:
            return gettext("Listing #%(id)s cannot be hidden: its status is “%(status)s”.") % {
                "id": listing.pk,
                "status": status,
            }
        return gettext("Listing #%(id)s is not hidden: its status is “%(status)s”.") % {
            "id": listing.pk,
            "status": status,
        }
    return gettext("A listing that is “%(current)s” cannot become “%(target)s”.") % {
        "current": status,
        "target": Status(target).label,
    }


def can_transition(current: str, target: str, by: Actor) -> bool:
    """Whether the table lets ``by`` move a listing from ``current`` to ``target``."""
    return LISTING_TRANSITIONS.get((current, target)) == by


def check_transition(listing: Listing, target: str, by: Actor) -> None:
    """Raise IllegalTransition unless the table lets ``by`` move ``listing`` from its status to ``target``."""
    if not can_transition(listing.status, target, by):
        raise IllegalTransition(listing, target, by)


def ensure_editable(listing: Listing) -> None:
    """Raise ListingStateError when the listing is archived (archived listings are read-only).

    Listing edits and photo changes both check it, so it lives with the state table rather than in either service.
    """
    if listing.status == Status.ARCHIVED:
        raise ListingStateError(gettext_lazy("This listing is archived and can no longer be changed."))
