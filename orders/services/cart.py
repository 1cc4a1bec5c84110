"""The cart: one per signed-in user, or per anonymous visitor (an opaque token kept in the session data).

A cart takes no stock: it only records what the buyer wants and the price they saw. Checkout
(``orders.services.checkout.place_order``) checks everything again under row locks.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Shop, User
from catalog.models import Listing
from core.numbers import is_ascii_number
from orders.errors import CartError
from orders.models import MAX_LINE_QUANTITY, Cart, CartLine

# Where the anonymous visitor's cart token lives in request.session. Session *data* survives login (Django
# rotates the session key but keeps the data), so the cart can follow the visitor when they sign in.
SESSION_CART_KEY = "cart_token"


def new_cart_token() -> str:
    return secrets.token_urlsafe(32)


# --- Finding carts ----------------------------------------------------------


def _owner_filter(user: User | None, session_key: str | None) -> dict:
    if (user is None) == (not session_key):
        raise ValueError("Give exactly one of user or session_key.")
    if user is not None:
        if not user.is_authenticated:
            raise ValueError("An anonymous user's cart is keyed by session_key.")
        return {"user": user}
    return {"session_key": session_key, "user__isnull": True}


def get_cart(*, user: User | None = None, session_key: str | None = None) -> Cart | None:
    """The existing cart of ``user`` (signed in) or of the anonymous ``session_key``, or None. Never writes."""
    return Cart.objects.filter(**_owner_filter(user, session_key)).first()


def get_or_create_cart(*, user: User | None = None, session_key: str | None = None) -> Cart:
    """The cart of ``user`` or of ``session_key``, created if needed (safe when two requests race)."""
    owner = _owner_filter(user, session_key)
    owner.pop("user__isnull", None)
    cart, _created = Cart.objects.get_or_create(**owner)
    return cart


def cart_for_request(request, *, create: bool = False) -> Cart | None:
    """The cart of whoever makes ``request``: the user's once signed in, else the session's.

    With ``create=False`` (pages that only read) nothing is written and None means "empty cart". With
    ``create=True`` (adding to the cart) an anonymous visitor gets a token in their session.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return get_or_create_cart(user=user) if create else get_cart(user=user)
    token = request.session.get(SESSION_CART_KEY)
    if not token:
        if not create:
            return None
        token = request.session[SESSION_CART_KEY] = new_cart_token()
    return get_or_create_cart(session_key=token) if create else get_cart(session_key=token)


def attach_session_cart(session, user: User) -> Cart | None:
    """Merge the anonymous cart named in ``session`` into ``user``'s cart; call it when the user signs in.

    Returns the user's cart when there was something to merge, else None. The token leaves the session.
    """
    token = session.pop(SESSION_CART_KEY, None)
    if not token:
        return None
    anonymous = get_cart(session_key=token)
    if anonymous is None:
        return None
    return merge_carts(anonymous, get_or_create_cart(user=user))


def cart_item_count(cart: Cart | None) -> int:
    """Copies in ``cart`` (for the navigation badge): one query, no problem checks."""
    if cart is None:
        return 0
    return cart.lines.aggregate(copies=Sum("quantity"))["copies"] or 0


# --- Changing the cart ------------------------------------------------------


def validate_quantity(quantity) -> int:
    """``quantity`` as an int from 1 to MAX_LINE_QUANTITY; CartError("invalid_quantity") otherwise."""
    if isinstance(quantity, bool):
        quantity = None
    if isinstance(quantity, str) and is_ascii_number(quantity.strip(), 9):
        quantity = int(quantity.strip())
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise CartError(
            _("Choose a quantity from 1 to %(max)d.") % {"max": MAX_LINE_QUANTITY}, code="invalid_quantity"
        )
    return quantity


def _check_stock(listing: Listing, quantity: int) -> None:
    if listing.quantity <= 0:
        raise CartError(_("This listing is sold out."), code="sold_out")
    if quantity > listing.quantity:
        raise CartError(
            ngettext("Only %(count)d copy is available.", "Only %(count)d copies are available.", listing.quantity)
            % {"count": listing.quantity},
            code="over_stock",
        )


def _visible_listing(listing: Listing | int) -> Listing:
    pk = listing.pk if isinstance(listing, Listing) else listing
    fresh = Listing.objects.visible().filter(pk=pk).first()
    if fresh is None:
        away = Shop.objects.filter(owner__listings=pk, away_until__isnull=False).first()
        if away is not None:
            raise CartError(away_text(away), code="shop_away")
        raise CartError(_("This listing is not for sale."), code="not_available")
    return fresh


def away_text(shop: Shop) -> str:
    """Why a book of ``shop`` cannot be bought now: the shop is in vacation mode."""
    return _("The seller is away until %(date)s: this book cannot be bought until then.") % {
        "date": date_format(shop.away_until, "DATE_FORMAT")
    }


def add_to_cart(cart: Cart, listing: Listing | int, quantity: int = 1) -> CartLine:
    """Add ``quantity`` copies of ``listing`` to ``cart`` (on top of any already there) and return the line.

    Guarantees: the listing is visible (active, seller active, shop not away), not the buyer's own, and the
    line's total is from 1 to MAX_LINE_QUANTITY and no more than the copies in stock; the line remembers the
    current price as the price the buyer saw. Takes no stock.
    Raises CartError: ``invalid_quantity``, ``not_available``, ``shop_away``, ``own_listing``, ``sold_out``,
    ``over_stock``.
    """
    quantity = validate_quantity(quantity)
    listing = _visible_listing(listing)
    if cart.user_id is not None and listing.seller_id == cart.user_id:
        raise CartError(_("You cannot buy your own listing."), code="own_listing")
    for _attempt in range(2):
        try:
            with transaction.atomic():
                line = CartLine.objects.select_for_update().filter(cart=cart, listing=listing).first()
                total = quantity + (line.quantity if line else 0)
                if total > MAX_LINE_QUANTITY:
                    raise CartError(
                        _("A cart line holds at most %(max)d copies.") % {"max": MAX_LINE_QUANTITY},
                        code="invalid_quantity",
                    )
                _check_stock(listing, total)
                if line is None:
                    line = CartLine.objects.create(
                        cart=cart, listing=listing, quantity=total, price_seen=listing.price
                    )
                else:
                    line.quantity = total
                    line.price_seen = listing.price
                    line.save(update_fields=["quantity", "price_seen", "updated_at"])
                Cart.objects.filter(pk=cart.pk).update(updated_at=line.updated_at)
            return line
        except IntegrityError:
            continue  # the same listing was added by a concurrent request: add to that line instead
    raise CartError(_("Your cart changed meanwhile; please try again."), code="cart_changed")


def _cart_line(cart: Cart, line_id) -> CartLine:
    try:
        return CartLine.objects.select_related("listing__seller").get(cart=cart, pk=int(line_id))
    except (CartLine.DoesNotExist, TypeError, ValueError):
        raise CartError(_("This line is not in your cart."), code="line_not_found") from None


def set_line_quantity(cart: Cart, line_id: int, quantity: int) -> CartLine:
    """Set the number of copies on one line of ``cart``. To remove a line, use :func:`remove_line`.

    Guarantees the same limits as :func:`add_to_cart`; the price the buyer saw is kept (a repriced line stays
    flagged until :func:`accept_current_prices`).
    Raises CartError: ``line_not_found`` (also for another cart's line), ``invalid_quantity``,
    ``not_available``, ``sold_out``, ``over_stock``.
    """
    quantity = validate_quantity(quantity)
    line = _cart_line(cart, line_id)
    listing = _visible_listing(line.listing_id)
    _check_stock(listing, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity", "updated_at"])
    return line


def remove_line(cart: Cart, line_id: int) -> None:
    """Remove one line of ``cart``. Raises CartError("line_not_found") if ``cart`` has no such line."""
    _cart_line(cart, line_id).delete()


def accept_current_prices(cart: Cart) -> int:
    """Take the listings' current prices as the prices the buyer saw (clears "repriced"); returns lines changed."""
    changed = []
    for line in cart.lines.select_related("listing"):
        if line.price_seen != line.listing.price:
            line.price_seen = line.listing.price
            changed.append(line)
    CartLine.objects.bulk_update(changed, ["price_seen"])
    return len(changed)


def merge_carts(anonymous_cart: Cart, user_cart: Cart) -> Cart:
    """Move the lines of ``anonymous_cart`` into ``user_cart`` and delete ``anonymous_cart``.

    A listing in both carts gets the sum of copies, capped at MAX_LINE_QUANTITY and at the copies in stock
    (at least 1, so a sold-out line stays visible and flagged). The user's own listings are dropped.
    Returns ``user_cart``.
    """
    if anonymous_cart.pk == user_cart.pk:
        return user_cart
    with transaction.atomic():
        existing = {line.listing_id: line for line in user_cart.lines.select_for_update()}
        for line in anonymous_cart.lines.select_related("listing"):
            if line.listing.seller_id == user_cart.user_id:
                continue
            target = existing.get(line.listing_id)
            wanted = line.quantity + (target.quantity if target else 0)
            capped = max(1, min(wanted, MAX_LINE_QUANTITY, line.listing.quantity))
            if target is None:
                CartLine.objects.create(
                    cart=user_cart, listing=line.listing, quantity=capped, price_seen=line.price_seen
                )
            else:
                target.quantity = capped
                # The visitor looked at the listing more recently than the stored line was added.
                target.price_seen = line.price_seen
                target.save(update_fields=["quantity", "price_seen", "updated_at"])
        anonymous_cart.delete()
    return user_cart
