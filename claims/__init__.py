"""A buyer's way out: claims on a shipment (not received, not as described), answered by refunds or returns."""
