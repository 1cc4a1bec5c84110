"""The catalog's signals that start matching. Connected in WantsConfig.ready()."""

from django.dispatch import receiver

from catalog.signals import listing_offered
from jobs.services import enqueue


@receiver(listing_offered, dispatch_uid="wants.match_offered_listing")
def match_offered_listing(sender, listing, **kwargs):
    """Matching runs in a job, after the seller's transaction commits; one job per offer (state and price)."""
    stamp = listing.updated_at.timestamp() if listing.updated_at else 0
    enqueue(
        "wants.services.matching.match_listing",
        key=f"wants_match:{listing.pk}:{listing.price}:{stamp}",
        listing_id=listing.pk,
    )
