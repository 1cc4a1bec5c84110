"""Bulk actions on a seller's listings: pause, resume, delete, set the quantity, change the price.

Each action is one transaction whose number of queries does not depend on how many listings it touches: the
listings are locked once (primary-key order, as checkout locks them), sorted by what the rules allow for each, and
changed by one UPDATE (or DELETE) per kind of change. The same rules as the one-listing actions in
catalog.services.listings hold: the state machine of catalog.states (listings hidden by staff are not resumed),
stock before going on sale, the price limits of the listing form, and a listing whose copies an unpaid order holds
(catalog.holds) is paused rather than retired. The catalog's caches are told once, after commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Cast, Floor, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.holds import held_copies
from catalog.models import MAX_PRICE, MAX_QUANTITY, MIN_PRICE, Listing, ListingPhoto
from catalog.selectors import InventoryFilters, inventory_listings
from catalog.services import photos as photo_service
from catalog.signals import listings_offered
from catalog.states import Actor, can_transition

Status = Listing.Status
CENTS = Decimal("0.01")
MIN_PERCENT = Decimal("-90")
MAX_PERCENT = Decimal("1000")
# Ticked boxes a form may send; "every listing that matches" has no limit.
MAX_SELECTED = 500  # below DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)
PREVIEW_SAMPLE = 20


class BulkAction(models.TextChoices):
    PAUSE = "pause", _("Pause")
    RESUME = "resume", _("Resume")
    DELETE = "delete", _("Delete")
    SET_QUANTITY = "set_quantity", _("Set the quantity")
    PRICE_AMOUNT = "price_amount", _("Change the price by an amount")
    PRICE_PERCENT = "price_percent", _("Change the price by a percentage")


PRICE_ACTIONS = (BulkAction.PRICE_AMOUNT, BulkAction.PRICE_PERCENT)


class Skip(models.TextChoices):
    """Why a listing of the selection was left as it was."""

    NOT_ACTIVE = "not_active", _("not on sale")
    NOT_PAUSED = "not_paused", _("not paused (listings hidden by our staff stay hidden)")
    NO_STOCK = "no_stock", _("no copies in stock")
    ARCHIVED = "archived", _("archived")
    UNCHANGED = "unchanged", _("already so")


@dataclass(frozen=True)
class Selection:
    """The listings an action is for: ``ids`` ticked on the page, or every listing matching ``filters``."""

    ids: tuple[int, ...] | None = None
    filters: InventoryFilters | None = None

    @classmethod
    def of_ids(cls, ids: Iterable[int]) -> Selection:
        return cls(ids=tuple(sorted(set(ids))))

    @classmethod
    def matching(cls, filters: InventoryFilters) -> Selection:
        return cls(filters=filters)

    def listing_ids(self, seller: User) -> tuple[list[int], int]:
        """The seller's listing ids this selection names, and how many ids were not the seller's (one query)."""
        if self.ids is not None:
            found = list(Listing.objects.filter(seller=seller, pk__in=self.ids).values_list("pk", flat=True))
            return sorted(found), len(self.ids) - len(found)
        listings = inventory_listings(seller, self.filters or InventoryFilters())
        return sorted(listings.order_by().values_list("pk", flat=True)), 0


@dataclass
class BulkOutcome:
    """What an action did (or, for a preview, would do)."""

    action: str
    changed: int = 0
    deleted: int = 0
    archived: int = 0
    paused_instead: int = 0  # delete asked, copies held by an unpaid order: paused (or left paused)
    skipped: Counter = field(default_factory=Counter)  # Skip -> count
    not_found: int = 0  # ids that are not the seller's (or no longer exist)
    sample: list[tuple[Listing, Decimal]] = field(default_factory=list)  # preview of a price change
    out_of_range: int = 0  # price change refused: listings whose price would leave the limits

    @property
    def total(self) -> int:
        return self.changed + self.deleted + self.archived + self.paused_instead + sum(self.skipped.values())


def new_price(price: Decimal, action: str, value: Decimal) -> Decimal:
    """The price after a change by ``value`` (an amount, or a percentage), rounded half-up to cents.

    The database applies the same arithmetic (see _price_expression); this is what previews and checks use.
    """
    if action == BulkAction.PRICE_AMOUNT:
        return (price + value).quantize(CENTS, rounding=ROUND_HALF_UP)
    return (price * (100 + value) / 100).quantize(CENTS, rounding=ROUND_HALF_UP)


def _price_expression(action: str, value: Decimal):
    """new_price as SQL: whole cents in integers, so SQLite (floats) rounds exactly as MariaDB (decimals) does."""
    if action == BulkAction.PRICE_AMOUNT:
        return F("price") + Value(value, output_field=models.DecimalField(max_digits=12, decimal_places=2))
    cents = Cast(Round(F("price") * 100), models.BigIntegerField())
    # percent with two decimals as an integer over 10,000: +12.5 % -> 11250 / 10000
    factor = int((100 + value) * 100)
    # Floor((cents * factor + 5000) / 10000) is cents * factor / 10000 rounded half-up, for positive prices.
    rounded = Floor((cents * Value(factor) + Value(5000)) / Value(10000.0))
    return Cast(rounded / Value(100), models.DecimalField(max_digits=12, decimal_places=2))


def _validate(action: str, value) -> None:
    if action not in BulkAction.values:
        raise ValidationError(_("Choose an action."), code="action")
    if action == BulkAction.SET_QUANTITY and (
        not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_QUANTITY
    ):
        raise ValidationError(
            _("Enter a whole number of copies from 0 to %(max)s.") % {"max": MAX_QUANTITY}, code="quantity"
        )
    if action in PRICE_ACTIONS and (not isinstance(value, Decimal) or not value.is_finite() or value == 0):
        raise ValidationError(_("Enter the change of price."), code="price")
    if action == BulkAction.PRICE_PERCENT and not MIN_PERCENT <= value <= MAX_PERCENT:
        raise ValidationError(
            _("Enter a percentage from %(min)s to %(max)s.") % {"min": MIN_PERCENT, "max": MAX_PERCENT},
            code="percent",
        )
    if action in PRICE_ACTIONS and value != value.quantize(CENTS):
        raise ValidationError(_("Use at most two decimals."), code="decimals")


@dataclass
class _Plan:
    """The rows locked for an action, sorted by what to do with each."""

    outcome: BulkOutcome
    change: list[int] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    archive: list[int] = field(default_factory=list)
    pause: list[int] = field(default_factory=list)  # delete asked, held by an unpaid order
    visible_change: bool = False  # buyers see the difference: the catalog's pages must be rendered again
    books: set[int] = field(default_factory=set)  # the books of the listings changed, deleted, archived or paused


def _plan(seller: User, action: str, value, selection: Selection, *, lock: bool, sample: int = 0) -> _Plan:
    ids, not_found = selection.listing_ids(seller)
    outcome = BulkOutcome(action=action, not_found=not_found)
    plan = _Plan(outcome=outcome)
    if not ids:
        return plan
    rows = Listing.objects.filter(seller=seller, pk__in=ids).order_by("pk")
    if lock:
        rows = rows.select_for_update()
    fields = ("pk", "status", "quantity", "price", "units_sold", "book_id")
    listings = list(rows.values_list(*fields, named=True))
    outcome.not_found += len(ids) - len(listings)  # deleted since the ids were read
    held = held_copies([row.pk for row in listings]) if action == BulkAction.DELETE else {}
    for row in listings:
        reason = _sort_row(plan, row, action, value, held)
        if reason:
            outcome.skipped[reason] += 1
        else:
            plan.books.add(row.book_id)
    if action in PRICE_ACTIONS and sample and plan.change:
        shown = plan.change[:sample]
        by_pk = {listing.pk: listing for listing in Listing.objects.select_related("book").filter(pk__in=shown)}
        outcome.sample = [(by_pk[pk], new_price(by_pk[pk].price, action, value)) for pk in shown if pk in by_pk]
    return plan


def _sort_row(plan: _Plan, row, action: str, value, held: dict[int, int]) -> str | None:
    """Put one locked row in its place in the plan, or return why it is skipped."""
    outcome = plan.outcome
    if row.status == Status.ARCHIVED:
        return Skip.ARCHIVED
    if action == BulkAction.PAUSE:
        if not can_transition(row.status, Status.PAUSED, Actor.SELLER):
            return Skip.NOT_ACTIVE
        plan.change.append(row.pk)
        plan.visible_change = True
    elif action == BulkAction.RESUME:
        # Only paused listings: resuming never publishes a draft nor undoes staff's hiding.
        if row.status != Status.PAUSED or not can_transition(row.status, Status.ACTIVE, Actor.SELLER):
            return Skip.NOT_PAUSED
        if row.quantity < 1:
            return Skip.NO_STOCK
        plan.change.append(row.pk)
        plan.visible_change = True
    elif action == BulkAction.DELETE:
        if not can_transition(row.status, Status.ARCHIVED, Actor.SELLER):
            return Skip.ARCHIVED
        plan.visible_change |= row.status == Status.ACTIVE
        if held.get(row.pk):
            if row.status == Status.ACTIVE:
                plan.pause.append(row.pk)
            outcome.paused_instead += 1
        elif row.units_sold == 0 and row.status != Status.HIDDEN:
            plan.delete.append(row.pk)
            outcome.deleted += 1
        else:
            plan.archive.append(row.pk)
            outcome.archived += 1
        return None
    elif action == BulkAction.SET_QUANTITY:
        if row.quantity == value:
            return Skip.UNCHANGED
        plan.change.append(row.pk)
        plan.visible_change |= row.status == Status.ACTIVE
    else:
        price = new_price(row.price, action, value)
        if not MIN_PRICE <= price <= MAX_PRICE:
            outcome.out_of_range += 1
        plan.change.append(row.pk)
        plan.visible_change |= row.status == Status.ACTIVE
    outcome.changed += 1 if action != BulkAction.DELETE else 0
    return None


def preview_bulk_action(seller: User, action: str, value, selection: Selection) -> BulkOutcome:
    """What :func:`apply_bulk_action` would do, without changing or locking anything.

    For a price change, ``sample`` holds up to PREVIEW_SAMPLE listings with their new price and ``out_of_range``
    counts the listings whose new price would leave the limits (the change is then refused). Raises
    ValidationError for a bad action or value.
    """
    _validate(action, value)
    return _plan(seller, action, value, selection, lock=False, sample=PREVIEW_SAMPLE).outcome


def apply_bulk_action(seller: User, action: str, value, selection: Selection) -> BulkOutcome:
    """Apply ``action`` to the seller's listings in ``selection``, all or nothing, and report what happened.

    Guarantees: one transaction; a constant number of queries whatever the number of listings; only the seller's
    own listings are read or changed (other ids are counted in ``not_found``); each listing follows the state
    machine (others are counted in ``skipped`` by reason); deleting a listing that ever sold or that staff hid
    archives it, and one whose copies an unpaid order holds is paused instead (``paused_instead``); the catalog's
    caches are told once, after commit; photo files of deleted listings are removed after commit.

    Raises ValidationError for a bad action or value, and when a price change would take any listing's price
    out of the limits of the listing form (nothing is changed then).
    """
    _validate(action, value)
    with transaction.atomic():
        plan = _plan(seller, action, value, selection, lock=True)
        outcome = plan.outcome
        if outcome.out_of_range:
            raise ValidationError(
                ngettext(
                    "%(count)s listing would get a price below %(min)s or above %(max)s: nothing was changed. "
                    "Choose a smaller change or leave that listing out.",
                    "%(count)s listings would get a price below %(min)s or above %(max)s: nothing was changed. "
                    "Choose a smaller change or leave those listings out.",
                    outcome.out_of_range,
                )
                % {"count": outcome.out_of_range, "min": MIN_PRICE, "max": MAX_PRICE},
                code="out_of_range",
            )
        now = timezone.now()
        if plan.change:
            _execute(action, value, plan.change, now)
        if plan.pause:
            Listing.objects.filter(pk__in=plan.pause).update(status=Status.PAUSED, updated_at=now)
        if plan.archive:
            Listing.objects.filter(pk__in=plan.archive).update(status=Status.ARCHIVED, updated_at=now)
        if plan.delete:
            _delete(plan.delete)
        if plan.visible_change:
            refresh_book_stats(plan.books)
            catalog_changed()
        if plan.change and action in (BulkAction.RESUME, BulkAction.SET_QUANTITY, *PRICE_ACTIONS):
            # Resumed, repriced or restocked copies may be what a buyer waits for (wants, above us, listen).
            listings_offered.send(sender=Listing, seller_id=seller.pk, since=now)
    return outcome


def _execute(action: str, value, ids: Collection[int], now) -> None:
    listings = Listing.objects.filter(pk__in=ids)
    if action == BulkAction.PAUSE:
        listings.update(status=Status.PAUSED, updated_at=now)
    elif action == BulkAction.RESUME:
        # A paused listing was published before, so published_at is already set.
        listings.update(status=Status.ACTIVE, updated_at=now)
    elif action == BulkAction.SET_QUANTITY:
        listings.update(quantity=value, updated_at=now)
    else:
        listings.update(price=_price_expression(action, value), updated_at=now)


def _delete(ids: Collection[int]) -> None:
    photos = ListingPhoto.objects.filter(listing_id__in=ids).values_list("image", "thumbnail")
    names = [name for pair in photos for name in pair if name]
    Listing.objects.filter(pk__in=ids).delete()
    transaction.on_commit(lambda: photo_service.discard_files(names))
