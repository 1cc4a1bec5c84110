"""Signals the catalog sends for apps above it (which the catalog may not import)."""

from django.dispatch import Signal

# Sent inside the transaction that puts a listing on sale, lowers or raises its price while on sale, or brings its
# stock back from zero: kwargs ``listing`` (saved). Receivers should only enqueue work (wants matches buyers' wants).
listing_offered = Signal()

# The same for a seller's file import, once it is applied: kwargs ``seller_id`` and ``since`` (when the import
# started): the seller's listings on sale changed since then.
listings_offered = Signal()
