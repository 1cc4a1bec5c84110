"""A seller with many listings finds some by searching, ticks a few, previews a 10 % price rise, confirms it and
sees the new prices; the inventory, the preview and the price help stay accessible and fit a 375 px screen."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Listing
from conftest import BookFactory, ListingFactory
from tests.browser.conftest import assert_accessible, expect, sign_in, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_375(page) -> bool:
    """At 375 px wide the page does not scroll sideways (a wide table scrolls inside its own region)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": size["height"]})
    fits = page.evaluate("document.documentElement.scrollWidth <= 375")
    page.set_viewport_size(size)
    return fits


def check_page(page) -> None:
    assert_accessible(page)
    assert not unlabelled_fields(page)
    assert fits_375(page)


def test_search_select_preview_and_confirm_a_price_rise(page, alice):
    rose = ListingFactory(seller=alice, book__title="The Name of the Rose", book__authors="Umberto Eco")
    pendulum = ListingFactory(
        seller=alice, book__title="Foucault's Pendulum", book__authors="Umberto Eco", price=Decimal("20.00")
    )
    baudolino = ListingFactory(seller=alice, book__title="Baudolino", book__authors="Umberto Eco")
    # Fixed titles: the factory's random words ("second", "become") could hold the "eco" searched for below.
    for title in ("Dune", "Emma", "Ulysses", "Walden"):
        ListingFactory(seller=alice, book__title=title, book__authors="Someone Else", price=Decimal("7.00"))
    sign_in(page, alice)

    page.goto(reverse("sell:inventory"))
    check_page(page)
    search = page.get_by_role("search", name="Search your listings")
    search.get_by_role("searchbox", name="Search your listings").fill("eco")
    search.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(3)

    page.get_by_role("checkbox", name="Select “The Name of the Rose”").check()
    page.get_by_role("checkbox", name="Select “Foucault's Pendulum”").check()
    page.get_by_label("Action").select_option("price_percent")
    page.get_by_role("spinbutton", name="Percentage").fill("10")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the change")
    preview = page.get_by_role("table")
    expect(preview).to_contain_text("The Name of the Rose")
    expect(preview).to_contain_text("$13.75")  # 12.50 + 10 %
    expect(preview).to_contain_text("$22.00")
    expect(preview).not_to_contain_text("Baudolino")
    check_page(page)
    assert Listing.objects.get(pk=rose.pk).price == Decimal("12.50")  # not yet

    page.get_by_role("button", name="Change the prices").click()
    expect(page.locator("#messages")).to_contain_text("Prices changed on 2 listings.")
    expect(page.get_by_role("searchbox", name="Search your listings")).to_have_value("eco")  # back to the search
    table = page.get_by_role("table", name="Listings on this page")
    expect(table).to_contain_text("$13.75")
    expect(table).to_contain_text("$22.00")
    check_page(page)
    prices = dict(Listing.objects.values_list("pk", "price"))
    assert (prices[rose.pk], prices[pendulum.pk], prices[baudolino.pk]) == (
        Decimal("13.75"),
        Decimal("22.00"),
        Decimal("12.50"),
    )


def test_price_help_on_the_listing_form(page, alice):
    book = BookFactory(isbn13="9780141439549", title="Middlemarch")
    listing = ListingFactory(seller=alice, book=book, condition="good")
    ListingFactory(book=book, condition="good", price=Decimal("8.25"))  # another seller's copy on sale
    ListingFactory(book=book, condition="poor", price=Decimal("3.00"))
    sign_in(page, alice)
    page.goto(reverse("sell:listing_edit", args=[listing.pk]))
    figures = page.locator("#price-help-figures")
    expect(figures).to_contain_text("$8.25")
    page.locator("#id_condition").select_option("poor")
    expect(figures).to_contain_text("$3.00")
    check_page(page)


def test_row_actions_pause_and_delete_after_the_confirmation(page, alice):
    dune = ListingFactory(seller=alice, book__title="Dune", book__authors="Frank Herbert")
    emma = ListingFactory(seller=alice, book__title="Emma", book__authors="Jane Austen", status=Listing.Status.DRAFT)
    sign_in(page, alice)
    page.goto(reverse("sell:inventory") + "?sort=title")

    page.get_by_role("button", name="Pause Dune").press("Enter")
    expect(page.get_by_role("button", name="Resume Dune")).to_be_visible()
    assert page.url.endswith("/sell/?sort=title")  # back where the seller was
    assert Listing.objects.get(pk=dune.pk).status == Listing.Status.PAUSED

    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Delete Emma").click()
    expect(page.get_by_role("button", name="Delete Emma")).to_be_visible()
    assert Listing.objects.filter(pk=emma.pk).exists()

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Delete Emma").click()
    expect(page.get_by_role("alert").filter(has_text="“Emma” is deleted.")).to_be_visible()
    assert questions == ["Delete “Emma”?", "Delete “Emma”?"]
    assert not Listing.objects.filter(pk=emma.pk).exists()
    # A pause after the confirmed delete is not taken for a confirmed anything: the shared form forgot the answer.
    page.get_by_role("button", name="Resume Dune").click()
    expect(page.get_by_role("button", name="Pause Dune")).to_be_visible()
    check_page(page)
