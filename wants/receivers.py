"""The catalog's signals that start matching, and counting new matches at sign-in. Connected in WantsConfig.ready()."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from catalog.signals import listing_offered
from jobs.services import enqueue
from wants.services.badge import new_match_count


@receiver(listing_offered, dispatch_uid="wants.match_offered_listing")
def match_offered_listing(sender, listing, **kwargs):
    """Matching runs in a job, after the seller's transaction commits; one job per offer (state and price)."""
    stamp = listing.updated_at.timestamp() if listing.updated_at else 0
    enqueue(
        "wants.services.matching.match_listing",
        key=f"wants_match:{listing.pk}:{listing.price}:{stamp}",
        listing_id=listing.pk,
    )


@receiver(user_logged_in, dispatch_uid="wants.count_new_matches_on_login")
def count_new_matches_on_login(sender, request, user, **kwargs):
    """Counted at sign-in, so the navigation's badge costs pages no query (until a new match forgets it)."""
    new_match_count(user)
