"""Checkout: the server-side order summary, and placing the order without ever overselling.

``place_order`` is the one place stock is taken. It locks the listings it takes in primary-key order (so two
checkouts cannot deadlock), checks them, decrements stock and creates the order in one short transaction.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.models import Listing
from core.money import ZERO, to_cents
from jobs.services import enqueue
from orders.errors import CarrierChoiceError, CheckoutError, LineProblem
from orders.models import Address, Cart, CartLine, Order, OrderLine, Shipment
from orders.services.cart_summary import CartSummary, SellerGroup, cart_summary, line_problems
from orders.services.fees import fee_for, fee_percent_for, fee_rates
from shipping.models import Carrier
from shipping.quotes import DEFAULT_TERMS, quote_for, quotes, shop_terms
from shipping.services import CarrierQuote, active_carriers

ORDER_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: people read numbers aloud
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_checkout_token() -> str:
    """A one-time token for one checkout form: put it in a hidden field and pass it to place_order."""
    return secrets.token_urlsafe(24)


def _active_language() -> str:
    """The active language (during a request, the one the visitor browses in) as one of settings.LANGUAGES.

    A regional variant counts as its language ("es-co" is "es"); none, or one the site does not offer, is
    ``settings.LANGUAGE_CODE``.
    """
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def _new_order_number() -> str:
    while True:
        number = "BS-" + "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(8))
        if not Order.objects.filter(number=number).exists():
            return number


# --- The summary the checkout page shows ----------------------------------------


@dataclass
class ShippingChoice:
    """One seller's group at checkout: the carriers serving the route and the one chosen, if any."""

    group: SellerGroup
    options: list[CarrierQuote]
    chosen: CarrierQuote | None = None

    @property
    def covered(self) -> bool:
        return bool(self.options)


@dataclass
class CheckoutPreview:
    """Everything the checkout page shows, computed on the server from the database."""

    summary: CartSummary
    destination_country: str
    shipping: list[ShippingChoice] = field(default_factory=list)

    @property
    def items_total(self) -> Decimal:
        return self.summary.items_total

    @property
    def shipping_total(self) -> Decimal:
        """Shipping of the groups whose carrier is chosen."""
        return to_cents(sum((c.chosen.price for c in self.shipping if c.chosen), ZERO))

    @property
    def total(self) -> Decimal:
        """Books plus the shipping of the groups whose carrier is chosen (all of them once ``ready``)."""
        return to_cents(self.items_total + self.shipping_total)

    @property
    def some_chosen(self) -> bool:
        return any(c.chosen for c in self.shipping)

    @property
    def uncovered(self) -> list[ShippingChoice]:
        """Groups no carrier delivers from the seller's country to the destination."""
        return [c for c in self.shipping if not c.covered]

    @property
    def ready(self) -> bool:
        """The cart has no problem and every group has a carrier chosen: place_order should succeed."""
        return self.summary.can_checkout and all(c.chosen for c in self.shipping)


def _normalize_choice(carrier_choice: Mapping | None) -> dict[int, int]:
    choice = {}
    for seller_id, carrier_id in (carrier_choice or {}).items():
        try:
            choice[int(seller_id)] = int(carrier_id)
        except (TypeError, ValueError):
            continue  # a tampered value counts as "no carrier chosen"
    return choice


def checkout_preview(cart: Cart | None, destination_country, carrier_choice: Mapping | None = None) -> CheckoutPreview:
    """The cart grouped by seller, with the carriers serving each seller's route and the totals.

    Each seller's carriers and prices are their shop's (``shipping.quotes``: the seller's own carriers and
    prices where set, with their handling time). ``carrier_choice`` maps seller id to carrier id; a choice
    that does not serve the route is ignored. About seven queries whatever the cart holds.
    """
    summary = cart_summary(cart)
    destination = str(getattr(destination_country, "code", destination_country) or "")
    preview = CheckoutPreview(summary=summary, destination_country=destination)
    choice = _normalize_choice(carrier_choice)
    carriers = active_carriers() if summary.groups else []
    terms = shop_terms(group.shop.pk for group in summary.groups if group.shop)
    for group in summary.groups:
        group_terms = terms[group.shop.pk] if group.shop else DEFAULT_TERMS
        options = quotes(group.origin_country, destination, max(group.item_count, 1), group_terms, carriers)
        chosen = next((q for q in options if q.carrier.pk == choice.get(group.seller.pk)), None)
        preview.shipping.append(ShippingChoice(group=group, options=options, chosen=chosen))
    return preview


# --- Placing the order ------------------------------------------------------------


def _check_token(buyer: User, token) -> Order | None:
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        raise CheckoutError(_("This checkout form has expired; please try again."), code="invalid_token")
    existing = Order.objects.filter(checkout_token=token).first()
    if existing is not None and existing.buyer_id != buyer.pk:
        raise CheckoutError(_("This checkout form has expired; please try again."), code="invalid_token")
    return existing


def place_order(
    buyer: User,
    cart: Cart,
    address: Address,
    carrier_choice: Mapping[int, int],
    checkout_token: str,
) -> Order:
    """Turn ``buyer``'s whole cart into an order awaiting payment, and return it.

    ``address`` is one of the buyer's saved addresses (copied into the order); ``carrier_choice`` maps each
    seller id in the cart to the id of the carrier chosen for that seller's parcel; ``checkout_token`` is the
    form's one-time token (:func:`new_checkout_token`).

    Guarantees:
    - idempotent: a token already used by this buyer returns that order, also when two requests race;
    - all or nothing: the listings are locked in primary-key order; if any line is not visible, is the
      buyer's own, lacks stock or was repriced since the buyer saw it, nothing is taken;
    - prices come from the database; each line snapshots title, authors, ISBN, condition, seller and price;
    - stock goes down (and ``units_sold`` up) by exactly what was ordered, never below zero;
    - one shipment per seller, with the chosen carrier's price for the route and the number of copies;
    - the cart lines taken are emptied; the order must be paid within ``settings.PAYMENT_EXPIRY_MINUTES``;
    - the order records the active language (the buyer's, during a request): the buyer's emails use it;
    - the buyer gets an order confirmation email after commit.

    Raises CheckoutError: ``invalid_token``, ``invalid_address``, ``cart_empty``, ``cart_changed`` (the cart
    changed during checkout), ``lines_unavailable`` (``.problems`` names each failing line and why);
    CarrierChoiceError (``.seller_ids``) when a seller has no carrier chosen or it does not serve the route.
    """
    existing = _check_token(buyer, checkout_token)
    if existing is not None:
        return existing
    if cart.user_id != buyer.pk:
        raise ValueError("place_order needs the buyer's own cart.")
    if address.user_id != buyer.pk:
        raise CheckoutError(_("Choose one of your addresses."), code="invalid_address")

    lines = list(cart.lines.select_related("listing__book", "listing__seller__shop").order_by("pk"))
    if not lines:
        # A request with the same token may have committed (and emptied the cart) since the check above.
        existing = Order.objects.filter(checkout_token=checkout_token, buyer=buyer).first()
        if existing is not None:
            return existing
        raise CheckoutError(_("Your cart is empty."), code="cart_empty")
    wanted = {line.listing_id: line.quantity for line in lines}
    groups: dict[int, list[CartLine]] = {}
    for line in lines:
        groups.setdefault(line.listing.seller_id, []).append(line)

    # Carriers are checked before any lock is taken: they do not depend on stock.
    destination = address.country.code
    choice = _normalize_choice(carrier_choice)
    carriers: dict[int, Carrier] = {
        c.pk: c for c in Carrier.objects.filter(pk__in=set(choice.values())).prefetch_related("rates")
    }
    shops = {seller_id: getattr(ls[0].listing.seller, "shop", None) for seller_id, ls in groups.items()}
    terms = shop_terms(shop.pk for shop in shops.values() if shop)
    rates = {}
    for seller_id, seller_lines in groups.items():
        shop = shops[seller_id]
        carrier = carriers.get(choice.get(seller_id))
        item_count = sum(line.quantity for line in seller_lines)
        quote = None
        if carrier is not None and shop is not None:
            quote = quote_for(carrier, shop.country.code, destination, item_count, terms[shop.pk])
        if quote is not None:
            rates[seller_id] = (carrier, quote, shop)
    uncovered = [seller_id for seller_id in groups if seller_id not in rates]
    if uncovered:
        raise CarrierChoiceError(seller_ids=uncovered)

    try:
        with transaction.atomic():
            locked = {
                listing.pk: listing
                for listing in Listing.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
            }
            # A request with the same token may have committed while this one waited for the locks.
            existing = Order.objects.filter(checkout_token=checkout_token, buyer=buyer).first()
            if existing is not None:
                return existing
            if dict(CartLine.objects.filter(cart=cart).values_list("listing_id", "quantity")) != wanted:
                raise CheckoutError(
                    _("Your cart changed while you were checking out; please review it."), code="cart_changed"
                )
            problems: list[LineProblem] = []
            for line in lines:
                listing = locked.get(line.listing_id)
                if listing is None:
                    problems.append(
                        LineProblem(
                            "not_available",
                            _("This listing is no longer for sale."),
                            line_id=line.pk,
                            listing_id=line.listing_id,
                            title=line.listing.book.title,
                            requested=line.quantity,
                        )
                    )
                    continue
                # Stock, price and status from the locked row; book and seller as read before.
                listing.book, listing.seller = line.listing.book, line.listing.seller
                line.listing = listing
                problems.extend(line_problems(line, listing, buyer.pk))
            if problems:
                raise CheckoutError(
                    _("Some lines of your cart cannot be bought as they are."),
                    code="lines_unavailable",
                    problems=problems,
                )
            return _create_order(buyer, address, checkout_token, groups, rates)
    except IntegrityError:
        # Two requests with the same token raced past the first check: the loser returns the winner's order.
        existing = Order.objects.filter(checkout_token=checkout_token, buyer=buyer).first()
        if existing is None:
            raise
        return existing


def _create_order(buyer: User, address: Address, token: str, groups: dict[int, list[CartLine]], rates) -> Order:
    """Write the order, its shipments and lines, and take the stock (inside place_order's transaction)."""
    now = timezone.now()
    # The price quoted before the locks: it depends on the seller's terms and the copies, not on stock.
    shipping_costs = {seller_id: rates[seller_id][1].price for seller_id in groups}
    items_total = to_cents(sum((line.listing.price * line.quantity for ls in groups.values() for line in ls), ZERO))
    shipping_total = to_cents(sum(shipping_costs.values(), ZERO))
    order = Order.objects.create(
        number=_new_order_number(),
        buyer=buyer,
        currency=settings.CURRENCY,
        items_total=items_total,
        shipping_total=shipping_total,
        total=items_total + shipping_total,
        checkout_token=token,
        language=_active_language(),
        expires_at=now + timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES),
        **address.snapshot(),
    )
    order_lines = []
    sold_out: set[int] = set()
    rates_by_category = fee_rates(line.listing.book.category_id for ls in groups.values() for line in ls)
    for seller_id, seller_lines in groups.items():
        carrier, _rate, shop = rates[seller_id]
        seller = seller_lines[0].listing.seller
        shipment = Shipment.objects.create(
            order=order,
            seller=seller,
            carrier=carrier,
            shipping_cost=shipping_costs[seller_id],
            item_count=sum(line.quantity for line in seller_lines),
            origin_city=shop.city if shop else "",
            origin_country=shop.country.code if shop else "",
            status_changed_at=now,
        )
        for line in seller_lines:
            listing = line.listing
            line_total = to_cents(listing.price * line.quantity)
            fee_percent = fee_percent_for(listing.book.category_id, rates_by_category)
            order_lines.append(
                OrderLine(
                    order=order,
                    shipment=shipment,
                    listing=listing,
                    seller=seller,
                    title=listing.book.title,
                    authors=listing.book.authors,
                    isbn13=listing.book.isbn13 or "",
                    language=listing.book.language,
                    condition=listing.condition,
                    seller_name=shop.name if shop else seller.display_name,
                    unit_price=listing.price,
                    quantity=line.quantity,
                    line_total=line_total,
                    fee_percent=fee_percent,
                    fee=fee_for(line_total, fee_percent),
                )
            )
            listing.quantity -= line.quantity
            listing.units_sold += line.quantity
            listing.save(update_fields=["quantity", "units_sold"])
            if listing.quantity == 0:
                catalog_changed()  # its card now says "Sold out"
                sold_out.add(listing.book_id)
    refresh_book_stats(sold_out)  # the last copies sold: their books' figures no longer count them
    OrderLine.objects.bulk_create(order_lines)
    CartLine.objects.filter(pk__in=[line.pk for ls in groups.values() for line in ls]).delete()
    enqueue("orders.emails.send_order_placed", key=f"order_placed:{order.pk}", order_id=order.pk)
    return order
