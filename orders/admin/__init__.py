"""Staff back office for buying: one module per model group, each registering its models.

Orders, payments, refunds and shipments are records of what happened: staff read them and act through the
admin actions, which call the same services as the buyer's and seller's pages (``cancel_order``,
``retry_failed_refunds``). Nothing here assigns a status.
"""

from orders.admin import earnings, orders, payments, shipments

__all__ = ["earnings", "orders", "payments", "shipments"]
