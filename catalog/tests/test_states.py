"""The listing state machine (catalog/states.py): each move in the table works through its service, and the
services refuse every other move with IllegalTransition, whoever asks."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from catalog.models import Listing
from catalog.services.listings import delete_listing, pause_listing, publish_listing, resume_listing, transition
from catalog.services.moderation import hide_listing, unhide_listing
from catalog.states import LISTING_TRANSITIONS, Actor, IllegalTransition, check_transition
from conftest import ListingFactory

Status = Listing.Status


def hide(listing, staff):
    hide_listing(listing, staff, "Counterfeit copy")


def unhide(listing, staff):
    unhide_listing(listing, staff)


def seller_service(service):
    return lambda listing, staff: service(listing)


# The service that makes each move of the table. delete_listing archives (rather than deletes) a listing that sold.
SERVICE_FOR_MOVE = {
    (Status.DRAFT, Status.ACTIVE): seller_service(publish_listing),
    (Status.ACTIVE, Status.PAUSED): seller_service(pause_listing),
    (Status.PAUSED, Status.ACTIVE): seller_service(resume_listing),
    (Status.DRAFT, Status.ARCHIVED): seller_service(delete_listing),
    (Status.ACTIVE, Status.ARCHIVED): seller_service(delete_listing),
    (Status.PAUSED, Status.ARCHIVED): seller_service(delete_listing),
    (Status.HIDDEN, Status.ARCHIVED): seller_service(delete_listing),
    (Status.DRAFT, Status.HIDDEN): hide,
    (Status.ACTIVE, Status.HIDDEN): hide,
    (Status.PAUSED, Status.HIDDEN): hide,
    (Status.HIDDEN, Status.DRAFT): unhide,
    (Status.HIDDEN, Status.ACTIVE): unhide,
    (Status.HIDDEN, Status.PAUSED): unhide,
}

# Each service with the status it moves to (unhide: to the stored earlier status, here "active") and who uses it.
SERVICES = [
    ("publish", seller_service(publish_listing), Status.ACTIVE, Actor.SELLER),
    ("pause", seller_service(pause_listing), Status.PAUSED, Actor.SELLER),
    ("resume", seller_service(resume_listing), Status.ACTIVE, Actor.SELLER),
    ("delete", seller_service(delete_listing), Status.ARCHIVED, Actor.SELLER),
    ("hide", hide, Status.HIDDEN, Actor.STAFF),
    ("unhide", unhide, Status.ACTIVE, Actor.STAFF),
]


def stored_listing(seller, status, before_hidden=""):
    # Sold once, so that deleting it archives it.
    return ListingFactory(seller=seller, status=status, status_before_hidden=before_hidden, units_sold=1)


def every_pair() -> list[tuple[str, str]]:
    return list(itertools.product(Status.values, repeat=2))


# --- The table --------------------------------------------------------------------------------------------------


def test_the_table_names_real_statuses_and_one_actor_per_move():
    for (current, target), actor in LISTING_TRANSITIONS.items():
        assert current in Status.values and target in Status.values and current != target
        assert actor in (Actor.SELLER, Actor.STAFF)


def test_hidden_is_staffs_to_set_and_clear_and_archived_is_final():
    for (current, target), actor in LISTING_TRANSITIONS.items():
        assert current != Status.ARCHIVED
        if target == Status.HIDDEN or (current == Status.HIDDEN and target != Status.ARCHIVED):
            assert actor == Actor.STAFF, (current, target)
        else:
            assert actor == Actor.SELLER, (current, target)


@pytest.mark.parametrize(("current", "target"), every_pair())
@pytest.mark.parametrize("by", list(Actor))
def test_check_transition_follows_the_table(current, target, by):
    listing = Listing(pk=7, status=current)
    if LISTING_TRANSITIONS.get((current, target)) == by:
        check_transition(listing, target, by)
    else:
        with pytest.raises(IllegalTransition) as info:
            check_transition(listing, target, by)
        assert (info.value.current, info.value.target, info.value.by) == (current, target, by)
    assert listing.status == current


@pytest.mark.parametrize(("current", "target"), every_pair())
def test_the_sellers_transition_makes_only_the_sellers_moves(current, target):
    listing = Listing(status=current, quantity=1)
    if LISTING_TRANSITIONS.get((current, target)) == Actor.SELLER:
        transition(listing, target)
        assert listing.status == target
    else:
        with pytest.raises(IllegalTransition):
            transition(listing, target)
        assert listing.status == current


# --- Through the services ---------------------------------------------------------------------------------------


def test_every_move_of_the_table_has_its_service():
    assert set(SERVICE_FOR_MOVE) == set(LISTING_TRANSITIONS)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), list(LISTING_TRANSITIONS))
def test_every_allowed_move_succeeds_through_its_service(alice, staff, current, target):
    listing = stored_listing(alice, current, before_hidden=target if current == Status.HIDDEN else "")
    SERVICE_FOR_MOVE[current, target](listing, staff)
    assert Listing.objects.get(pk=listing.pk).status == target


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("service", "target", "by", "current"),
    [
        pytest.param(service, target, by, current, id=f"{name}:{current}")
        for (name, service, target, by), current in itertools.product(SERVICES, Status.values)
        if LISTING_TRANSITIONS.get((current, target)) != by
    ],
)
def test_every_other_move_raises_illegal_transition_and_changes_nothing(alice, staff, service, target, by, current):
    listing = stored_listing(alice, current, before_hidden=Status.ACTIVE)
    with pytest.raises(IllegalTransition) as info:
        service(listing, staff)
    assert info.value.by == by
    stored = Listing.objects.get(pk=listing.pk)
    assert (stored.status, stored.status_before_hidden) == (current, Status.ACTIVE)


@pytest.mark.django_db
def test_staff_cannot_make_a_sellers_move(alice, staff):
    """Unhiding does not resume: a listing the seller paused stays paused, whatever it was before."""
    listing = stored_listing(alice, Status.PAUSED, before_hidden=Status.ACTIVE)
    with pytest.raises(IllegalTransition):
        unhide_listing(listing, staff)
    for target in (Status.ACTIVE, Status.ARCHIVED):
        with pytest.raises(IllegalTransition):
            check_transition(listing, target, Actor.STAFF)
    assert Listing.objects.get(pk=listing.pk).status == Status.PAUSED


@pytest.mark.django_db
def test_a_seller_cannot_hide_or_unhide(alice, alice_listing):
    with pytest.raises(PermissionDenied):
        hide_listing(alice_listing, alice, "Hiding my own listing")
    hidden = stored_listing(alice, Status.HIDDEN, before_hidden=Status.ACTIVE)
    with pytest.raises(PermissionDenied):
        unhide_listing(hidden, alice)
    with pytest.raises(IllegalTransition):
        resume_listing(hidden)
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE
    assert Listing.objects.get(pk=hidden.pk).status == Status.HIDDEN


# --- What people are told -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "service", "english", "spanish"),
    [
        (
            Status.DRAFT,
            seller_service(pause_listing),
            "A listing that is “Draft” cannot become “Paused”.",
            "Una publicación en estado “Borrador” no puede pasar a “Pausada”.",
        ),
        (
            Status.ARCHIVED,
            hide,
            "Listing #{pk} cannot be hidden: its status is “Archived”.",
            "La publicación n.º {pk} no se puede ocultar: su estado es “Archivada”.",
        ),
        (
            Status.ACTIVE,
            unhide,
            "Listing #{pk} is not hidden: its status is “Active”.",
            "La publicación n.º {pk} no está oculta: su estado es “Activa”.",
        ),
    ],
)
def test_the_refusal_speaks_to_whoever_asked_in_their_language(alice, staff, current, service, english, spanish):
    listing = stored_listing(alice, current)
    for language, expected in (("en", english), ("es", spanish)):
        with translation.override(language), pytest.raises(IllegalTransition) as info:
            service(listing, staff)
        assert str(info.value) == expected.format(pk=listing.pk)
