"""Buying: carts, saved addresses, orders and their lines, payments and refunds, and shipments.

One module per aggregate (``carts``, ``addresses``, ``orders``, ``payments``, ``shipments``, ``earnings``);
import the models from here. Rules live in ``orders.services``; these models only hold data, their constraints
and the one method per state machine that changes a status (see ``orders.states``).
"""

from orders.models.addresses import Address
from orders.models.carts import MAX_LINE_QUANTITY, Cart, CartLine
from orders.models.earnings import AppendOnlyError, FeeRate, LedgerEntry, Payout
from orders.models.orders import Order, OrderLine
from orders.models.payments import FAILURE_MESSAGES, GatewayTransaction, Payment, Refund, failure_text, untranslated
from orders.models.shipments import Shipment, ShipmentEvent

__all__ = [
    "FAILURE_MESSAGES",
    "MAX_LINE_QUANTITY",
    "Address",
    "AppendOnlyError",
    "Cart",
    "CartLine",
    "FeeRate",
    "GatewayTransaction",
    "LedgerEntry",
    "Order",
    "OrderLine",
    "Payment",
    "Payout",
    "Refund",
    "Shipment",
    "ShipmentEvent",
    "failure_text",
    "untranslated",
]
