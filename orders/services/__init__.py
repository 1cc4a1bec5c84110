"""The buying rules, as plain functions. Views, forms, admin actions and commands call these and stay thin.

Import from here (``from orders import services`` then ``services.place_order(...)``) or from the modules:

- ``cart``: get_cart, get_or_create_cart, cart_for_request, cart_item_count, attach_session_cart, add_to_cart,
  set_line_quantity, remove_line, accept_current_prices, merge_carts
- ``cart_summary``: cart_summary, CartSummary, SellerGroup, CartLineView, line_problems (reading a cart)
- ``checkout``: new_checkout_token, checkout_preview, place_order
- ``payments``: CardDetails, pay_order, record_charge, process_refund, retry_failed_refunds, latest_payment,
  payment_in_progress
- ``cancellation``: cancel_order, cancel_seller_part, may_cancel, order_is_cancellable, cancellable_shipments
- ``expiry``: expire_unpaid_orders
- ``queries``: buyer_orders, get_order_for_buyer, order_detail_queryset, order_for_checkout_token, user_addresses,
  get_address_for_user, default_ship_country
- ``addresses``: save_address
- ``fees``: fee_for (the one rounding rule), fee_rates, fee_percent_for: the marketplace's fee per order line
- ``earnings``: the sellers' append-only ledger: record_sales, record_refund, send_payout, balances,
  seller_ledger, seller_sales_rows and the sales export (CSV, XLSX)
- ``shipments``: the seller's part of an order: release_shipments, cancel_shipments, sync_order_with_shipments,
  mark_shipped (with the carrier used and its tracking number), carriers_for_shipment, normalize_tracking_number,
  advance_shipments (the carrier simulator's runs), seller_sales, get_shipment_for_seller

Lock order, the one place it is written. Rows are locked with ``select_for_update``, rows of one kind in
primary-key order, and no order row is locked while a listing or another order's row is held:

1. the order, first in every write on an existing order (paying it, recording a charge, refunding,
   cancelling, expiring, marking a part shipped, the carrier simulator's step). Holding it serializes the
   writes on that order, so its own rows below may follow in the order each service needs them;
2. that order's own rows: its shipments, its payment, its refunds (release on payment: payment then
   shipments; cancellation: shipments, listings, then the payment; refunds: payment then refund);
3. listings, the rows orders share with each other and with the catalog, in primary-key order
   (``place_order`` takes stock, ``stock.return_stock`` gives it back on cancellation and expiry);
4. the books of listings that sold out or came back in stock, in primary-key order, once per transaction, when
   their figures are written again (``catalog.book_stats.refresh_book_stats``).

``place_order`` locks only listings: the order it creates is new. A cart write locks only that cart's lines.
The payment gateway is never called while any of these locks is held (see ``payments``).

Errors are in ``orders.errors`` (all subclasses of BuyingError, with ``code`` and ``message``); illegal
status changes raise ``core.states.IllegalTransition``. Carriers, routes and prices are ``shipping.services``'s.
"""

from orders.services.addresses import save_address
from orders.services.cancellation import (
    cancel_order,
    cancel_seller_part,
    cancellable_shipments,
    may_cancel,
    order_is_cancellable,
)
from orders.services.cart import (
    SESSION_CART_KEY,
    accept_current_prices,
    add_to_cart,
    attach_session_cart,
    cart_for_request,
    cart_item_count,
    get_cart,
    get_or_create_cart,
    merge_carts,
    remove_line,
    set_line_quantity,
    validate_quantity,
)
from orders.services.cart_summary import CartLineView, CartSummary, SellerGroup, cart_summary
from orders.services.checkout import (
    CheckoutPreview,
    ShippingChoice,
    checkout_preview,
    new_checkout_token,
    place_order,
)
from orders.services.expiry import expire_unpaid_orders
from orders.services.payments import (
    CardDetails,
    latest_payment,
    pay_order,
    payment_in_progress,
    process_refund,
    record_charge,
    retry_failed_refunds,
)
from orders.services.queries import (
    buyer_orders,
    default_ship_country,
    get_address_for_user,
    get_order_for_buyer,
    order_detail_queryset,
    order_for_checkout_token,
    user_addresses,
)

__all__ = [
    "SESSION_CART_KEY",
    "CardDetails",
    "CartLineView",
    "CartSummary",
    "CheckoutPreview",
    "SellerGroup",
    "ShippingChoice",
    "accept_current_prices",
    "add_to_cart",
    "attach_session_cart",
    "buyer_orders",
    "cancel_order",
    "cancel_seller_part",
    "cancellable_shipments",
    "cart_for_request",
    "cart_item_count",
    "cart_summary",
    "checkout_preview",
    "default_ship_country",
    "expire_unpaid_orders",
    "get_address_for_user",
    "get_cart",
    "get_or_create_cart",
    "get_order_for_buyer",
    "latest_payment",
    "may_cancel",
    "merge_carts",
    "new_checkout_token",
    "order_detail_queryset",
    "order_for_checkout_token",
    "order_is_cancellable",
    "pay_order",
    "payment_in_progress",
    "place_order",
    "process_refund",
    "record_charge",
    "remove_line",
    "retry_failed_refunds",
    "save_address",
    "set_line_quantity",
    "user_addresses",
    "validate_quantity",
]
