"""The shop's rating as buyers see it, for any app's templates (catalog, orders, feedback).

Reads ``accounts.ShopStats`` (join it: ``select_related("...shop__stats")``) and never counts feedback itself.
"""

from django import template

from accounts.models import stats_of

register = template.Library()


@register.inclusion_tag("accounts/_shop_rating.html")
def shop_rating(shop, detailed=False, feedback_url=""):
    """ "4.8 ★ · 132 ratings" and the 12-month share of positive ratings, or "New seller" without ratings.

    ``detailed`` adds the share on its own line; ``feedback_url`` links the count to the shop's feedback page.
    """
    stats = stats_of(shop)
    return {
        "stats": stats if stats is not None and stats.has_ratings else None,
        "detailed": detailed,
        "feedback_url": feedback_url,
    }
