"""A buyer in a real browser: search in the books view, open a book, see its copies and add one to the cart; the
search box's suggestions with the keyboard alone; axe and a 375 px width on the catalog and the book page."""

import re
from decimal import Decimal

import pytest

from conftest import BookFactory, ListingFactory
from tests.browser.conftest import assert_accessible, expect, open_menu, screenshot, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rose(alice, bob):
    book = BookFactory(title="The Name of the Rose", authors="Umberto Eco")
    ListingFactory(book=book, seller=alice, price=Decimal("14.00"))
    ListingFactory(book=book, seller=bob, price=Decimal("9.50"), condition="good")
    ListingFactory(seller=bob, book__title="Dune", book__authors="Frank Herbert")
    return book


def fits(page, width: int = 375) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_search_open_a_book_and_add_a_copy_to_the_cart(page, rose):
    page.goto("/books/?q=rose")
    card = page.locator(f'[data-book="{rose.pk}"]')
    expect(card).to_contain_text("2 copies from $9.50")
    expect(card).to_contain_text("Good to Very Good")
    card.get_by_role("link", name="The Name of the Rose").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Name of the Rose")
    expect(page.locator("[data-copy]")).to_have_count(2)
    expect(page.locator("[data-copy]").first).to_contain_text("$9.50")
    screenshot(page, "book-page")
    page.locator("[data-copy]").first.get_by_role("button", name=re.compile("^Add to cart")).click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("The Name of the Rose")


def test_suggestions_with_the_keyboard(page, rose):
    page.goto("/")
    open_menu(page)
    box = page.get_by_role("combobox", name="Search books", exact=True)
    box.focus()
    page.keyboard.type("umbe", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    option = page.get_by_role("option", name=re.compile("Umberto Eco"))
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.type("r")
    expect(listbox).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/books/\?q=Umberto\+Eco"))
    expect(page.locator(f'[data-book="{rose.pk}"]')).to_be_visible()


def test_catalog_and_book_page_are_accessible_at_375_px(new_page, rose):
    page = new_page("phone")
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/books/", "/books/?q=rose", f"/books/work/{rose.pk}/?ship_to=CO", "/books/?q=rosse"):
        page.goto(path)
        assert fits(page), path
        assert_accessible(page)
        assert unlabelled_fields(page) == [], path
    expect(page.locator("[data-did-you-mean]")).to_contain_text("rose")
