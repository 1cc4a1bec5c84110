"""Every main page, in English and in Spanish: axe-core finds no violation of any impact (minor and moderate
included) and the browser's console shows no error (a missing favicon would). Every seller page fits a 375 px
wide phone: no element is wider than the viewport, so each action is in reach without sideways scrolling.

The scene behind the pages is built through the services: alice sells; charlie bought one of her books, which
was delivered, rated and claimed about, and asked her about another (a Spanish book), which he then bought and
she has still to ship; bob's book is in his cart.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from claims.services.opening import open_claim
from claims.states import ClaimKind
from feedback.services import leave_feedback
from messaging.services import ask_about_listing
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.tests.conftest import card
from tests.browser.conftest import axe_violations, screenshot, sign_in, unlabelled_fields
from tests.browser.test_claims_journey import delivered_order
from tests.conftest import AddressFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
PHONE_WIDTH = 375
TABLET_WIDTHS = (768, 1024)

# Elements that stick out of the viewport, each as a short CSS path with its edges. A table inside a plain
# .table-responsive counts (its columns are out of sight); a clipped element or one inside a labelled, focusable
# region that scrolls on purpose does not.
TOO_WIDE = """(width) => {
    const path = (el) => {
        const parts = [];
        for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
            let part = node.tagName.toLowerCase();
            if (node.id) { parts.unshift(part + '#' + node.id); break; }
            const classes = [...node.classList].slice(0, 2);
            if (classes.length) part += '.' + classes.join('.');
            parts.unshift(part);
        }
        return parts.join(' > ');
    };
    // Clipped on purpose (a name cut with an ellipsis), or inside a region that scrolls on purpose and can be
    // reached and scrolled with the keyboard (focusable and labelled).
    const contained = (el) => {
        for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (['hidden', 'clip'].includes(style.overflowX)) return true;
            if (['auto', 'scroll'].includes(style.overflowX) && node.tabIndex >= 0
                && (node.getAttribute('aria-label') || node.getAttribute('aria-labelledby'))) return true;
        }
        return false;
    };
    const found = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (!box.width || getComputedStyle(el).visibility === 'hidden') continue;
        if ((box.right > width + 0.5 || box.left < -0.5) && !contained(el)) {
            if (el.closest('.visually-hidden, .visually-hidden-focusable')) continue;
            found.push(`${path(el)} (${Math.round(box.left)}..${Math.round(box.right)} px)`);
        }
    }
    return {found: found.slice(0, 10), scrollWidth: document.documentElement.scrollWidth};
}"""


def _sold(buyer, listing, carriers, key: str):
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, 1)
    address = AddressFactory(user=buyer)
    order = place_order(buyer, cart, address, {listing.seller_id: carriers["SERVI"].pk}, new_checkout_token())
    pay_order(order, card(), key)
    return order


@pytest.fixture
def scene(alice, bob, charlie, alice_listing, bob_listing, carriers):
    from conftest import ListingFactory

    delivered = delivered_order(charlie, alice_listing, carriers)
    shipment = delivered.shipments.get()
    feedback = leave_feedback(shipment, charlie, 4, "Well packed.")
    claim = open_claim(shipment, charlie, ClaimKind.NOT_AS_DESCRIBED, "The cover is torn.")
    other = ListingFactory(seller=alice, book__title="Cien años de soledad", book__language="es")
    thread = ask_about_listing(other, charlie, "Is the spine cracked?")
    waiting = _sold(charlie, other, carriers, "browser-every-page-0002")  # ready to ship: a packing slip
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, bob_listing, 1)
    return {
        "listing": alice_listing,
        "order": delivered,
        "sale": waiting.shipments.get(),
        "delivered": shipment,
        "feedback": feedback,
        "claim": claim,
        "thread": thread,
        "shop": alice.shop,
    }


def seller_pages(scene) -> list[tuple[str, str]]:
    """(name, path) of every page a seller works on, as alice."""
    listing, sale = scene["listing"], scene["sale"]
    return [
        ("inventory", reverse("sell:inventory")),
        ("inventory-active", reverse("sell:inventory") + "?status=active"),
        ("listing-new", reverse("sell:listing_create")),
        ("listing-edit", reverse("sell:listing_edit", args=[listing.pk])),
        ("listing-photos", reverse("sell:listing_photos", args=[listing.pk])),
        ("shop", reverse("accounts:shop_edit")),
        ("sales", reverse("shipping:sale_list")),
        ("sale", reverse("shipping:sale_detail", args=[sale.pk])),
        ("sale-delivered", reverse("shipping:sale_detail", args=[scene["delivered"].pk])),
        ("packing-slip", reverse("shipping:packing_slip", args=[sale.pk])),
        ("packing-slips", reverse("shipping:packing_slips")),
        ("sales-export", reverse("shipping:sales_export")),
        ("import", reverse("sell:import")),
        ("price-help", reverse("shipping:price_help") + "?isbn=9780156001311&condition=good"),
        ("shipping-settings", reverse("shop_shipping:settings")),
        ("earnings", reverse("shipping:earnings")),
        ("feedback", reverse("feedback:seller_list")),
        ("vacation", reverse("accounts:vacation")),
        ("messages", reverse("messaging:inbox")),
        ("thread", reverse("messaging:thread", args=[scene["thread"].pk])),
        ("claim", reverse("claims:detail", args=[scene["claim"].pk])),
    ]


def main_pages(scene) -> list[tuple[str | None, str, str]]:
    """(who, name, path) of each main page: the buyer's, then the seller's."""
    order, listing, shop = scene["order"], scene["listing"], scene["shop"]
    buyer = [
        (None, "home", "/"),
        (None, "catalog", "/books/?q=rose"),
        (None, "listing", listing.get_absolute_url()),
        (None, "shop-page", reverse("catalog:shop", args=[shop.slug])),
        (None, "shop-feedback", reverse("feedback:shop", args=[shop.slug])),
        (None, "login", reverse("account_login")),
        (None, "signup", reverse("account_signup")),
        (None, "password-reset", reverse("account_reset_password")),
        ("charlie", "cart", reverse("orders:cart")),
        ("charlie", "checkout", reverse("orders:checkout")),
        ("charlie", "orders", reverse("orders:order_list")),
        ("charlie", "order-detail", order.get_absolute_url()),
        ("charlie", "buyer-thread", reverse("messaging:thread", args=[scene["thread"].pk])),
        ("charlie", "buyer-claim", reverse("claims:detail", args=[scene["claim"].pk])),
        ("charlie", "profile", reverse("accounts:profile")),
        # The API reference waits for Swagger UI to render: tests/browser/test_api_pages.py walks it.
        ("charlie", "api-tokens", reverse("api:tokens")),
    ]
    return buyer + [("alice", name, path) for name, path in seller_pages(scene)]


def _use_language(page, language: str) -> None:
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.base_url}])


def _visit(page, people, who, signed_in_as, language):
    if who != signed_in_as:
        if who is None:
            page.context.clear_cookies()
        else:
            sign_in(page, people[who])
        _use_language(page, language)
    return who


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_main_page_has_no_accessibility_violation(page, scene, language, request):
    people = {name: request.getfixturevalue(name) for name in ("alice", "charlie")}
    problems, signed_in_as, console = [], "nobody", []
    # Nothing the page asks for fails (the favicon included): no error in the browser's console.
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    for who, name, path in main_pages(scene):
        signed_in_as = _visit(page, people, who, signed_in_as, language)
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        assert page.evaluate("document.documentElement.lang") == language, f"{name} is not in {language}"
        for violation in axe_violations(page, impacts=ALL_IMPACTS):
            problems.append(f"{name} {path}: {violation['id']} ({violation['impact']}) {violation['help']}")
            problems.extend(f"    {node}" for node in violation["nodes"])
        problems.extend(f"{name} {path}: field without a label: {html}" for html in unlabelled_fields(page))
        problems.extend(f"{name} {path}: console error: {text}" for text in console)
        console.clear()
    assert not problems, f"Accessibility problems ({language}, {page.size_name}):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_seller_page_fits_a_phone(new_page, scene, alice, language):
    """At 375 px nothing sticks out; at a tablet's width, where the tables are tables again, none scrolls
    sideways out of the keyboard's reach (axe's scrollable-region-focusable)."""
    page = new_page("phone")
    sign_in(page, alice)
    _use_language(page, language)
    problems = []
    for name, path in seller_pages(scene):
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        result = page.evaluate(TOO_WIDE, PHONE_WIDTH)
        screenshot(page, f"phone-{language}-{name}")
        if result["found"] or result["scrollWidth"] > PHONE_WIDTH:
            problems.append(f"{name} {path}: {result['scrollWidth']} px wide at {PHONE_WIDTH} px")
            problems.extend(f"    {found}" for found in result["found"])
        for width in TABLET_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            result = page.evaluate(TOO_WIDE, width)
            if result["found"] or result["scrollWidth"] > width:
                problems.append(f"{name} {path}: {result['scrollWidth']} px wide at {width} px")
                problems.extend(f"    {found}" for found in result["found"])
    assert not problems, f"Wider than the viewport ({language}):\n" + "\n".join(problems)
