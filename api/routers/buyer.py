"""The buyer's cart and orders."""

from ninja import Router

cart_router = Router(tags=["cart"])
orders_router = Router(tags=["orders"])
