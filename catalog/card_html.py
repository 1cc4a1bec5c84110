"""The catalog's two cards, a copy (listing) and a book, and a listing page's table of other copies, as HTML written
here rather than by a template.

A catalog page the caches have not seen draws 24 cards, and the template engine spent most of their time resolving
variables: 0.5 ms a card on the bench machine, some 40 % of such a page. Written here, with the same markup, the
same translated sentences (the catalog of django.po: the msgids are those the templates used) and every value
escaped (``escape``, or ``format_html`` for the pieces with attributes), a card takes a fraction of that. The
page's other parts stay templates; these two are the catalog's hot loop (catalog.cache.cards caches each card too).
Change them together with the card CSS (static/css/site.css, ``.book-card``). The other copies of a listing's book
are the same kind of loop on a listing page nobody asked for before (about 1.7 ms through the template for five).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django_countries.fields import Country

from catalog.models import Listing
from catalog.templatetags.catalog_images import cover_picture
from core.templatetags.site_tags import lang_attr, money

if TYPE_CHECKING:
    from catalog.search import OtherCopy

COVER_SIZES = "(min-width: 1200px) 200px, (min-width: 992px) 230px, (min-width: 768px) 30vw, calc(50vw - 24px)"
COVER_CLASS = "card-img-top cover h-auto"


@functools.cache
def _book_icon() -> str:
    return render_to_string("catalog/_book_icon.html").strip()


@functools.lru_cache(maxsize=16)
def _words(language: str | None) -> dict[str, str]:
    """The cards' fixed words in ``language`` (the active one), escaped: looked up once per process, not per card."""
    words = {
        "condition": gettext("Condition:"),
        "condition_column": gettext("Condition"),
        "price_column": gettext("Price"),
        "price": gettext("Price:"),
        "sold_out": gettext("Sold out"),
        "sold_by": gettext("Sold by"),
        "no_photo": gettext("No photo of this copy yet"),
        "book": gettext("Book"),
        "other_copies": gettext("Other copies of this book"),
        "seller": gettext("Seller"),
        "link": gettext("Link"),
        "view": gettext("View"),
    }
    words.update((f"condition:{value}", str(label)) for value, label in Listing.Condition.choices)
    return {key: escape(text) for key, text in words.items()}


@functools.lru_cache(maxsize=512)
def _country(language: str | None, code: str) -> str:
    return escape(Country(code).name)


def _cover(cover, widths, alt: str, eager: bool, placeholder: str) -> str:
    """The cover's picture, else the book icon labelled ``placeholder`` (escaped already)."""
    if cover:
        return str(cover_picture(cover, widths, sizes=COVER_SIZES, alt=alt, css_class=COVER_CLASS, eager=eager))
    return f'<div class="card-img-top cover-placeholder" role="img" aria-label="{placeholder}">{_book_icon()}</div>'


def _title_and_authors(book, url: str) -> str:
    title, authors = escape(book.title), escape(book.authors)
    return (
        '<h3 class="card-title h6 mb-1">'
        f'<a class="stretched-link text-body text-decoration-none line-clamp-3" href="{escape(url)}" '
        f'title="{title}"{lang_attr(book.language)}>{title}</a></h3>'
        f'<p class="small text-body-secondary mb-2 line-clamp-2" title="{authors}">{authors}</p>'
    )


def listing_card(listing, eager: bool = False) -> SafeString:
    """One copy for sale: the whole card links to the listing. Needs ``listing`` with book, seller and seller.shop
    loaded. Cached by what it shows (catalog.cache.cards.listing_cards): a value shown here must be in that key."""
    book = listing.book
    words = _words(get_language())
    alt = gettext("Photo of this copy of %(title)s") % {"title": book.title}
    parts = [
        '<article class="card h-100 book-card shadow-sm position-relative">',
        _cover(listing.cover, listing.cover_widths, alt, eager, words["no_photo"]),
        '<div class="card-body d-flex flex-column p-3">',
        _title_and_authors(book, listing.get_absolute_url()),
        '<div class="mt-auto d-flex flex-wrap justify-content-between align-items-center gap-1">',
        f'<span class="badge badge-condition"><span class="visually-hidden">{words["condition"]} </span>'
        f"{words.get('condition:' + listing.condition) or escape(listing.get_condition_display())}</span>",
        f'<span class="price"><span class="visually-hidden">{words["price"]} </span>'
        f"{escape(money(listing.price))}</span>",
        "</div>",
    ]
    if not listing.in_stock:
        parts.append(f'<p class="mb-0 mt-2"><span class="badge text-bg-secondary">{words["sold_out"]}</span></p>')
    shop = getattr(listing.seller, "shop", None)
    if shop:
        name = escape(shop.name)
        parts.append(
            '<p class="small text-body-secondary mb-0 mt-2">'
            f'<span class="visually-hidden">{words["sold_by"]} </span>'
            f'<span class="d-block text-truncate" title="{name}">{name}</span>'
            f'<span class="d-block">{escape(shop.city)}, {_country(get_language(), shop.country.code)}</span></p>'
        )
    parts.append("</div></article>")
    return mark_safe("".join(parts))  # every value escaped above  # nosec B308 B703


def book_card(summary, eager: bool = False) -> SafeString:
    """One book of the books view, with its matching copies (``summary``: catalog.search.books.BookSummary). Part
    of the cached page content: nothing here may depend on the visitor."""
    book = summary.book
    alt = gettext("Photo of a copy of %(title)s") % {"title": book.title}
    copies = ngettext("%(counter)s copy from %(price)s", "%(counter)s copies from %(price)s", summary.copies) % {
        "counter": summary.copies,
        "price": money(summary.lowest_price),
    }
    if summary.one_condition:
        conditions = str(summary.best_condition)
    else:
        conditions = gettext("%(worst)s to %(best)s") % {
            "worst": summary.worst_condition,
            "best": summary.best_condition,
        }
    lowest = escape(localize(summary.lowest_price))
    return mark_safe(  # every value escaped here  # nosec B308 B703
        f'<article class="card h-100 book-card shadow-sm position-relative" data-book="{book.pk}">'
        + _cover(summary.cover, summary.cover_widths, alt, eager, _words(get_language())["book"])
        + '<div class="card-body d-flex flex-column p-3">'
        + _title_and_authors(book, reverse("catalog:book", args=[book.pk]))
        + f'<p class="mt-auto mb-0 small" data-copies="{summary.copies}" data-lowest="{lowest}">'
        + f'<span class="price">{escape(copies)}</span>'
        + f'<span class="d-block text-body-secondary" data-conditions>{escape(conditions)}</span>'
        + "</p></div></article>"
    )


def other_copies_table(copies: list[OtherCopy]) -> SafeString:
    """Other sellers' copies on a listing's page (catalog.search.other_copies), cheapest first; nothing when there
    are none. Cached with the catalog's version (catalog/views/detail.py): nothing here may depend on the visitor."""
    if not copies:
        return SafeString("")
    language = get_language()
    words = _words(language)
    rows = []
    for copy in copies:
        condition = words.get("condition:" + copy.condition) or escape(copy.condition)
        price = escape(money(copy.price))
        hidden = escape(
            gettext("the %(condition)s copy for %(price)s")
            % {"condition": Listing.Condition(copy.condition).label, "price": money(copy.price)}
        )
        url = escape(reverse("catalog:listing", kwargs={"pk": copy.pk}))
        country = _country(language, copy.shop_country) if copy.shop_country else ""
        rows.append(
            f'<tr><td><span class="badge badge-condition">{condition}</span></td>'
            f'<td>{escape(copy.shop_name)}<span class="d-block small text-body-secondary">'
            f"{escape(copy.shop_city)}, {country}</span></td>"
            f'<td class="text-end price">{price}</td>'
            f'<td class="text-end"><a class="btn btn-sm btn-outline-primary" href="{url}">{words["view"]}'
            f'<span class="visually-hidden"> {hidden}</span></a></td></tr>'
        )
    return mark_safe(  # every value escaped above  # nosec B308 B703
        '<section class="mt-4" aria-labelledby="other-copies-heading">'
        f'<h2 id="other-copies-heading" class="h4">{words["other_copies"]}</h2>'
        '<div class="table-responsive position-relative"><table class="table align-middle"><thead><tr>'
        f'<th scope="col">{words["condition_column"]}</th><th scope="col">{words["seller"]}</th>'
        f'<th scope="col" class="text-end">{words["price_column"]}</th>'
        f'<th scope="col"><span class="visually-hidden">{words["link"]}</span></th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div></section>"
    )
