"""Tags for templates/catalog/_book_meta.html and the pages' meta descriptions (see catalog.seo)."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalog import seo

register = template.Library()

# As django.utils.html.json_script escapes, so no value can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def absolute(path):
    """A path or URL as an absolute URL on SITE_URL."""
    return seo.absolute_url(str(path or ""))


@register.simple_tag
def listing_description(listing):
    return seo.listing_description(listing)


@register.simple_tag
def book_description(book):
    return seo.book_description(book)


@register.simple_tag
def shop_description(shop):
    return seo.shop_description(shop)


@register.simple_tag
def book_json_ld(book, listing=None, listings=None, url="", image=""):
    """<script type="application/ld+json"> with schema.org Book and its Offer(s)."""
    offers = list(listings or ()) or ([listing] if listing else [])
    data = seo.book_data(book, offers, url=seo.absolute_url(url), image=seo.absolute_url(image))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # nosec B308 B703
