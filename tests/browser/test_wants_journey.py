"""Want lists in a real browser: a search finds nothing, the buyer adds a want from there, a seller lists the
book, the daily digest goes out and its link opens the listing. /wants/ passes axe and fits 375 px.
"""

import re
from decimal import Decimal

import pytest
from django.core import mail

from catalog.models import Book, Listing
from catalog.services.listings import create_listing
from tests.browser.conftest import assert_accessible, expect, path_of, screenshot, sign_in, unlabelled_fields
from wants.models import Match, Want
from wants.services.digest import send_digests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_375(page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375 px ({width} px wide)"
    page.set_viewport_size(size)


def check_page(page, name: str) -> None:
    assert_accessible(page)
    assert unlabelled_fields(page) == []
    fits_375(page)
    screenshot(page, name)


def test_a_want_from_an_empty_search_ends_in_a_digest_with_a_working_link(
    new_page, viewport, live_server, settings, alice, charlie, charlie_address, carriers, categories
):
    settings.SITE_URL = live_server.url
    buyer = new_page(viewport)
    sign_in(buyer, charlie)

    # The search finds nothing; one click opens the want form, prefilled from the search.
    buyer.goto("/books/?q=Middlemarch")
    expect(buyer.get_by_text("No books match your search.")).to_be_visible()
    buyer.get_by_role("link", name="Tell me when it turns up").click()
    expect(buyer.get_by_role("heading", name="Add a want")).to_be_visible()
    expect(buyer.get_by_label("Title words")).to_have_value("Middlemarch")
    check_page(buyer, "want-form")
    buyer.get_by_label("Author words").fill("George Eliot")
    buyer.get_by_label("Minimum condition").select_option("very_good")
    buyer.get_by_label("Highest price, shipping included").fill("25")
    buyer.get_by_role("button", name="Add the want").click()
    expect(buyer.get_by_role("heading", name="Your want list")).to_be_visible()
    expect(buyer.locator("[data-wants]")).to_contain_text("Middlemarch")
    want = Want.objects.get(user=charlie)
    assert str(want.country) == "CO"  # the buyer's address
    check_page(buyer, "want-list")

    # A seller lists the book through the catalog's service: matching runs in its job after the commit.
    listing = create_listing(
        alice,
        {
            "isbn13": None,
            "title": "Middlemarch",
            "authors": "George Eliot",
            "publisher": "",
            "year": 1871,
            "language": Book.Language.ENGLISH,
            "binding": Book.Binding.PAPERBACK,
            "category": categories["fiction"],
            "description": "",
        },
        {"condition": Listing.Condition.FINE, "condition_notes": "", "price": Decimal("12.00"), "quantity": 1},
        publish=True,
    )
    assert Match.objects.filter(want=want, listing=listing).exists()

    # The badge tells the buyer, and the want list shows the copy.
    buyer.goto("/")
    expect(buyer.locator("[data-new-matches]").first).to_have_attribute("data-new-matches", "1")

    # The daily digest: one email with a link that opens the listing.
    mail.outbox.clear()
    assert send_digests() == 1
    assert len(mail.outbox) == 1
    link = re.search(rf"{re.escape(live_server.url)}/books/\d+/", mail.outbox[0].body).group(0)
    buyer.goto(link)
    assert path_of(buyer) == listing.get_absolute_url()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Middlemarch")

    buyer.goto("/wants/")
    expect(buyer.locator("[data-matches]")).to_contain_text("Middlemarch")
    check_page(buyer, "want-list-with-match")
