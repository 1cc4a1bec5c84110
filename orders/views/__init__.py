"""The buyer's pages: cart, checkout, payment and orders. Thin: the rules live in ``orders.services``."""
