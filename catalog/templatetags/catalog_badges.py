"""A listing's status as a coloured badge: the colour per status, kept here for every page that shows one."""

from django import template

register = template.Library()

# The colour repeats what the badge's text says; a status without its own colour (archived) is plain.
STATUS_BADGE_CLASSES = {
    "active": "text-bg-success",
    "paused": "text-bg-warning",
    "draft": "text-bg-secondary",
    "hidden": "text-bg-danger",
}


@register.filter
def status_badge_class(status: str) -> str:
    """The badge classes for a listing status: ``<span class="badge {{ listing.status|status_badge_class }}">``."""
    return STATUS_BADGE_CLASSES.get(status, "text-bg-light border")
