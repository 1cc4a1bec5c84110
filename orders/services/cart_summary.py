"""Reading a cart: its lines grouped by seller, with totals and every problem checkout would refuse.

What the cart page, the navbar and checkout show; nothing here writes. ``line_problems`` is the one list of
reasons a line cannot be bought as it is (the same checks ``place_order`` repeats under row locks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Shop, User
from catalog.models import Listing
from core.money import ZERO, format_money, to_cents
from orders.errors import LineProblem
from orders.models import Cart, CartLine
from orders.services.cart import away_text


@dataclass
class CartLineView:
    """One cart line as the cart page shows it, with the listing's current state."""

    line: CartLine
    listing: Listing
    quantity: int
    unit_price: Decimal
    price_seen: Decimal
    line_total: Decimal
    available: int
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def purchasable(self) -> bool:
        """Could be bought at the current price (a repriced line only needs the buyer's agreement)."""
        return all(p.code == "repriced" for p in self.problems)

    @property
    def problem_codes(self) -> list[str]:
        return [p.code for p in self.problems]


@dataclass
class SellerGroup:
    """The lines of one seller; shipping is chosen per group at checkout."""

    seller: User
    shop: Shop | None
    lines: list[CartLineView] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        """Current prices of the lines that can be bought (unavailable lines are left out)."""
        return to_cents(sum((v.line_total for v in self.lines if v.purchasable), ZERO))

    @property
    def item_count(self) -> int:
        return sum(v.quantity for v in self.lines if v.purchasable)

    @property
    def origin_country(self) -> str:
        return self.shop.country.code if self.shop else ""

    @property
    def seller_name(self) -> str:
        return self.shop.name if self.shop else self.seller.display_name


@dataclass
class CartSummary:
    """The whole cart grouped by seller, with totals and every problem found."""

    cart: Cart | None
    groups: list[SellerGroup] = field(default_factory=list)

    @property
    def lines(self) -> list[CartLineView]:
        return [view for group in self.groups for view in group.lines]

    @property
    def problems(self) -> list[LineProblem]:
        return [problem for view in self.lines for problem in view.problems]

    @property
    def items_total(self) -> Decimal:
        return to_cents(sum((g.subtotal for g in self.groups), ZERO))

    @property
    def item_count(self) -> int:
        """Copies in the cart (for the navigation badge)."""
        return sum(v.quantity for v in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def can_checkout(self) -> bool:
        """Non-empty and without any problem (repriced lines must be accepted first)."""
        return not self.is_empty and not self.problems


def line_problems(line: CartLine, listing: Listing, buyer_id: int | None) -> list[LineProblem]:
    """Every reason ``line`` cannot be bought as it is (empty list when it can). Reads ``listing`` as given."""
    title = listing.book.title
    common = {"line_id": line.pk, "listing_id": listing.pk, "title": title, "requested": line.quantity}
    if not listing.seller.is_active:
        return [LineProblem("not_available", _("The seller is no longer selling."), **common)]
    shop = getattr(listing.seller, "shop", None)
    if shop is not None and shop.is_away:
        return [LineProblem("shop_away", away_text(shop), **common)]
    if listing.status != Listing.Status.ACTIVE:
        message = {
            Listing.Status.PAUSED: _("The seller paused this listing."),
            Listing.Status.HIDDEN: _("This listing was withdrawn by our staff."),
        }.get(listing.status, _("This listing is no longer for sale."))
        return [LineProblem("not_available", message, **common)]
    if buyer_id is not None and listing.seller_id == buyer_id:
        return [LineProblem("own_listing", _("You cannot buy your own listing."), **common)]
    problems = []
    if listing.quantity <= 0:
        problems.append(LineProblem("sold_out", _("Sold out."), available=0, **common))
    elif line.quantity > listing.quantity:
        problems.append(
            LineProblem(
                "over_stock",
                ngettext("Only %(count)d copy is left.", "Only %(count)d copies are left.", listing.quantity)
                % {"count": listing.quantity},
                available=listing.quantity,
                **common,
            )
        )
    if line.price_seen != listing.price:
        problems.append(
            LineProblem(
                "repriced",
                _("The price changed from %(old)s to %(new)s.")
                % {"old": format_money(line.price_seen), "new": format_money(listing.price)},
                available=listing.quantity,
                price_seen=line.price_seen,
                current_price=listing.price,
                **common,
            )
        )
    return problems


def cart_summary(cart: Cart | None) -> CartSummary:
    """The cart grouped by seller (in the order lines were added), each line flagged with its problems.

    One query. ``None`` (no cart yet) gives an empty summary.
    """
    summary = CartSummary(cart=cart)
    if cart is None:
        return summary
    groups: dict[int, SellerGroup] = {}
    lines = cart.lines.select_related("listing__book", "listing__seller__shop__stats").order_by("added_at", "id")
    for line in lines:
        listing = line.listing
        seller = listing.seller
        group = groups.get(seller.pk)
        if group is None:
            group = groups[seller.pk] = SellerGroup(seller=seller, shop=getattr(seller, "shop", None))
            summary.groups.append(group)
        group.lines.append(
            CartLineView(
                line=line,
                listing=listing,
                quantity=line.quantity,
                unit_price=listing.price,
                price_seen=line.price_seen,
                line_total=to_cents(listing.price * line.quantity),
                available=listing.quantity,
                problems=line_problems(line, listing, cart.user_id),
            )
        )
    return summary
