"""The catalog's signals that start matching, and counting new matches at sign-in. Connected in WantsConfig.ready()."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from catalog.signals import listing_offered, listings_offered
from jobs.services import enqueue
from wants.services.badge import new_match_count


@receiver(listing_offered, dispatch_uid="wants.match_offered_listing")
def match_offered_listing(sender, listing, **kwargs):
    """Matching runs in a job, after the transaction that offered the listing commits; one job per offer."""
    enqueue(
        "wants.services.matching.match_listing",
        key=f"wants_match:{listing.pk}:{time.time_ns()}",
        listing_id=listing.pk,
    )


@receiver(listings_offered, dispatch_uid="wants.match_offered_listings")
def match_offered_listings(sender, seller_id, since, **kwargs):
    """A seller's import: one job for all its listings, once it is applied."""
    enqueue(
        "wants.services.matching.match_seller_listings",
        key=f"wants_match_import:{seller_id}:{since.isoformat()}:{time.time_ns()}",
        seller_id=seller_id,
        since=since.isoformat(),
    )


@receiver(user_logged_in, dispatch_uid="wants.count_new_matches_on_login")
def count_new_matches_on_login(sender, request, user, **kwargs):
    """Counted at sign-in, so the navigation's badge costs pages no query (until a new match forgets it)."""
    new_match_count(user)
