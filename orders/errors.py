"""Domain errors of buying. Each carries a stable ``code`` and a translatable ``message`` a page may show.

Views catch :class:`BuyingError` (or one subclass) and show ``message`` as a form error or a flash message;
none of these should ever become a 500. ``core.states.IllegalTransition`` is different: it means a stale
page or a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class BuyingError(Exception):
    """Base of every refusal by the cart, checkout, payment and cancellation services."""

    default_code = "error"
    default_message = _("This action is not possible.")

    def __init__(self, message=None, *, code: str | None = None):
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class CartError(BuyingError):
    """Adding or changing a cart line was refused.

    Codes: ``invalid_quantity``, ``not_available``, ``own_listing``, ``sold_out``, ``over_stock``,
    ``line_not_found``.
    """

    default_code = "cart_error"


@dataclass(frozen=True)
class LineProblem:
    """Why one cart line cannot be bought as it is.

    ``code``: ``not_available`` (paused, hidden, archived, deleted, or seller inactive), ``own_listing``,
    ``sold_out``, ``over_stock`` (fewer copies left than the line asks), ``repriced`` (the price changed since
    the buyer added it).
    """

    code: str
    message: str
    line_id: int | None = None
    listing_id: int | None = None
    title: str = ""
    requested: int = 0
    available: int = 0
    price_seen: Decimal | None = None
    current_price: Decimal | None = None


class CheckoutError(BuyingError):
    """Placing the order was refused and nothing was taken.

    Codes: ``cart_empty``, ``lines_unavailable`` (see ``problems``: one entry per failing line, naming it and
    saying why), ``cart_changed``, ``invalid_address``, ``invalid_token``.
    """

    default_code = "checkout_error"
    default_message = _("Your order could not be placed.")

    def __init__(self, message=None, *, code: str | None = None, problems: list[LineProblem] | None = None):
        super().__init__(message, code=code)
        self.problems: list[LineProblem] = list(problems or [])


class CarrierChoiceError(CheckoutError):
    """A seller group has no carrier chosen, or the chosen one does not serve the route.

    ``seller_ids`` lists the groups concerned. Code: ``carrier_not_available``.
    """

    default_code = "carrier_not_available"
    default_message = _("Choose a carrier that delivers from this seller to your address.")

    def __init__(self, message=None, *, seller_ids: list[int] | None = None):
        super().__init__(message)
        self.seller_ids = list(seller_ids or [])


class PaymentError(BuyingError):
    """A payment attempt was refused before any charge.

    Codes: ``invalid_card`` (with ``card_code``: ``invalid_number``, ``expired_card``, ``invalid_expiry``,
    ``invalid_cvc``), ``not_payable`` (cancelled, expired or past its deadline), ``already_paid``,
    ``payment_in_progress``, ``invalid_key``, ``key_reused`` (the key belongs to another order).
    """

    default_code = "payment_error"

    def __init__(self, message=None, *, code: str | None = None, card_code: str = ""):
        super().__init__(message, code=code)
        self.card_code = card_code


class CancellationError(BuyingError):
    """A cancellation was refused and nothing changed.

    Codes: ``not_allowed`` (not the buyer nor staff), ``not_cancellable`` (the order or part has shipped, or is
    already closed), ``no_such_part``, ``payment_in_progress``.
    """

    default_code = "not_cancellable"


class ShipmentError(BuyingError):
    """A seller's shipping action was refused and nothing changed.

    Codes: ``not_your_shipment``, ``not_ready_to_ship``.
    """

    default_code = "shipment_error"


class PayoutError(BuyingError):
    """A payout was refused and nothing was written.

    Codes: ``invalid_amount`` (not a positive amount of money), ``over_available`` (more than the seller's
    available balance).
    """

    default_code = "payout_error"
