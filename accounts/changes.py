"""What the accounts app tells other apps about changes they may show.

Accounts imports no domain app (design rule), so it announces such changes with a signal
and the apps that care connect to it (the catalog, to refresh its cached pages).
"""

from django.db import transaction
from django.dispatch import Signal

# What buyers see of sellers changed: users were deactivated or reactivated, or a shop was opened,
# changed or deleted. Sent once the change is committed, never for one that rolls back; ``sender``
# is the model whose rows changed (User or Shop).
seller_visibility_changed = Signal()


def announce_seller_change(sender: type) -> None:
    """Send ``seller_visibility_changed`` when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: seller_visibility_changed.send(sender=sender))


# Sellers' listings left or came back to what buyers may see (deactivated or reactivated, a shop away or back):
# sent inside the transaction that made the change, with ``seller_ids``, so that receivers (the catalog's books'
# figures) write what follows from it in the same transaction.
sellers_shown_or_hidden = Signal()


def announce_sellers_shown_or_hidden(sender: type, seller_ids) -> None:
    """Send ``sellers_shown_or_hidden`` now (inside the caller's transaction) and ``seller_visibility_changed``
    on commit. The hidden sellers' table must already say what changed (accounts.visibility)."""
    seller_ids = sorted(set(seller_ids))
    if seller_ids:
        sellers_shown_or_hidden.send(sender=sender, seller_ids=seller_ids)
    announce_seller_change(sender)
