"""Signals the catalog sends for apps above it (which the catalog may not import)."""

from django.dispatch import Signal

# Sent inside the transaction that puts a listing on sale, lowers or raises its price while on sale, or brings its
# stock back from zero: kwargs ``listing`` (saved). Receivers should only enqueue work (wants matches buyers' wants).
listing_offered = Signal()

# The same for many listings at once (a seller's file import): kwargs ``listing_ids``, sent in the batch's
# transaction.
listings_offered = Signal()
