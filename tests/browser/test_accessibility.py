"""Accessibility of the main pages: axe-core finds nothing serious or critical, every field has a label, and
the site works from the keyboard alone.

axe-core is the npm package's build, vendored in tests/assets/ (its licence beside it) and injected from the
local file: no network.
"""

import pytest
from django.urls import reverse

from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, place_order
from tests.browser.conftest import axe_violations, expect, path_of, screenshot, sign_in, unlabelled_fields
from tests.conftest import AddressFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Problems found in files this suite's author may not change; each entry names the fix. An entry that is no
# longer found fails the test, so the list only ever shrinks.
# (page, rule, selector) of violations accepted for now, each with the fix it waits for; none today.
KNOWN_PROBLEMS: set[tuple[str, str, str]] = set()


@pytest.fixture
def scene(charlie, alice, alice_listing, bob_listing, carriers):
    """Charlie has a placed order (bob's book) and alice's book in his cart; alice has a listing."""
    address = AddressFactory(user=charlie)
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, bob_listing, 1)
    order = place_order(charlie, cart, address, {bob_listing.seller_id: carriers["FEDEX"].pk}, new_checkout_token())
    add_to_cart(cart, alice_listing, 1)
    return {"order": order, "listing": alice_listing}


def pages_to_check(scene):
    """(who, name, path) for each main page."""
    order, listing = scene["order"], scene["listing"]
    return [
        (None, "home", "/"),
        (None, "catalog", "/books/?q=rose"),
        (None, "listing", listing.get_absolute_url()),
        (None, "login", reverse("account_login")),
        (None, "signup", reverse("account_signup")),
        ("charlie", "cart", reverse("orders:cart")),
        ("charlie", "checkout", reverse("orders:checkout")),
        ("charlie", "pay", reverse("orders:pay", args=[order.number])),
        ("charlie", "order-detail", order.get_absolute_url()),
        ("charlie", "orders", reverse("orders:order_list")),
        ("alice", "sell-inventory", reverse("sell:inventory")),
        ("alice", "listing-form", reverse("sell:listing_create")),
        ("alice", "listing-edit", reverse("sell:listing_edit", args=[listing.pk])),
        ("alice", "listing-photos", reverse("sell:listing_photos", args=[listing.pk])),
        ("alice", "shop-form", reverse("accounts:shop_edit")),
        ("bob", "sales", reverse("shipping:sale_list")),
    ]


def test_main_pages_have_no_serious_accessibility_problems(page, scene, request):
    people = {name: request.getfixturevalue(name) for name in ("charlie", "alice", "bob")}
    problems, seen, known = [], set(), KNOWN_PROBLEMS
    signed_in_as = None
    for who, name, path in pages_to_check(scene):
        if who != signed_in_as:
            if who is None:
                page.context.clear_cookies()
            else:
                sign_in(page, people[who])
            signed_in_as = who
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        screenshot(page, f"a11y-{name}")
        for violation in axe_violations(page):
            nodes = [
                node for node in violation["nodes"] if (name, violation["id"], node.split(" :: ")[0]) not in known
            ]
            seen.update((name, violation["id"], node.split(" :: ")[0]) for node in violation["nodes"])
            if nodes:
                problems.append(f"{name} {path}: {violation['id']} ({violation['impact']}) {violation['help']}")
                problems.extend(f"    {node}" for node in nodes)
        problems.extend(f"{name} {path}: field without a label: {html}" for html in unlabelled_fields(page))
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)
    if page.size_name == "desktop":  # the filter panel (and its link) is folded away on a phone
        fixed = known - seen
        assert not fixed, f"Fixed, remove from KNOWN_PROBLEMS: {fixed}"


def test_the_catalog_is_searchable_with_the_keyboard_alone(page, alice_listing):
    page.goto("/")
    # The first stop is the skip link, and it moves focus to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # From the top, Tab reaches a search box; typing and Enter search.
    page.goto("/")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "search":
            break
    else:
        pytest.fail("Tab never reached a search box")
    page.keyboard.type("Rose")
    page.keyboard.press("Enter")
    page.wait_for_url("**/books/?q=Rose")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rose")

    # Tab on to the result and open it with Enter.
    link = page.get_by_role("link", name="The Name of the Rose")
    for _ in range(60):
        page.keyboard.press("Tab")
        if link.evaluate("a => a === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the search result")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/books/work/{alice_listing.book_id}/")  # the book, with all its copies


def test_login_and_add_to_cart_with_the_keyboard_alone(page, charlie, alice_listing):
    page.goto(reverse("account_login"))
    page.get_by_label("Email").focus()
    page.keyboard.type(charlie.email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery-staple")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text(f"Successfully signed in as {charlie.email}.")

    page.goto(alice_listing.get_absolute_url())
    quantity = page.get_by_label("Copies")
    quantity.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cart/")
    assert path_of(page) == reverse("orders:cart")
    expect(page.locator("[data-cart-count]").first).to_have_attribute("data-cart-count", "2")
