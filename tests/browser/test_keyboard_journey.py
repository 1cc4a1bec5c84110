"""A buyer who uses only the keyboard: search, filter, open a listing, add to cart, check out choosing a carrier
with the arrow keys, place the order, pay.

At every focus stop the focus indicator is measured: its colour (outline, else box-shadow) against the background
behind it must reach 3:1 (WCAG 1.4.11). Choosing a carrier never reloads the page (a marker set on ``window``
survives and the summary's total changes in place); after a form error focus is on the message and the title starts
with "Error:". The phone test checks that a listing's price and "Add to cart" are on a 375 x 812 first screen and
that checkout keeps the total and "Place order" in sight.
"""

import re
from decimal import Decimal

import pytest

from conftest import ListingFactory
from orders.models import Order
from orders.states import OrderStatus
from tests.browser.conftest import assert_accessible, expect, path_of, screenshot, sign_in
from tests.conftest import AddressFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVE = "4242 4242 4242 4242"
MIN_CONTRAST = 3.0
PHONE = {"width": 375, "height": 812}

# What the focused element shows and what is behind it, as the browser computes them.
FOCUS_STOP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const parse = (text) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1,
  });
  const style = getComputedStyle(el);
  let ring = null, kind = null;
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
    ring = parse(style.outlineColor); kind = "outline";
  } else if (style.boxShadow && style.boxShadow !== "none") {
    ring = parse(style.boxShadow); kind = "box-shadow";
  }
  // The ring is drawn outside the element: the background is its ancestors', composited from the page up.
  const layers = [];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour && colour.a > 0) { layers.push(colour); if (colour.a >= 1) break; }
  }
  let background = {r: 255, g: 255, b: 255, a: 1};
  for (const layer of layers.reverse()) background = over(layer, background);
  const describe = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.name ? "[name=" + el.name + "]" : "") + " " + (el.innerText || el.value || "").trim().slice(0, 40);
  if (!ring) return {element: describe, kind: "none", ratio: 1};
  const luminance = (c) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  const a = luminance(over(ring, background)), b = luminance(background);
  return {element: describe, kind, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
}"""


class Keyboard:
    """Moves focus with Tab / Shift+Tab only, measuring the focus indicator at every stop it passes."""

    def __init__(self, page):
        self.page = page
        self.stops: list[dict] = []

    def check_focus(self) -> dict:
        stop = self.page.evaluate(FOCUS_STOP)
        assert stop is not None, f"focus is lost (on <body>) at {self.page.url}"
        stop["url"] = path_of(self.page)
        self.stops.append(stop)
        assert stop["ratio"] >= MIN_CONTRAST, f"focus indicator below {MIN_CONTRAST}:1: {stop}"
        return stop

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.check_focus()
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"{selector} not reached with the keyboard on {self.page.url}")

    def type_into_focused(self, text: str) -> None:
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("(s) => document.activeElement.matches(s)", selector)


@pytest.fixture
def shelves(alice, bob, charlie_address):
    return {
        "rose": ListingFactory(
            seller=alice, book__title="The Name of the Rose", book__description="A classic mystery.", price="14.00"
        ),
        "dune": ListingFactory(
            seller=bob, book__title="Dune", book__description="The classic of desert planets.", price="9.50"
        ),
        "cosmos": ListingFactory(
            seller=bob, book__title="Cosmos", book__description="A classic of popular science.", price="11.00"
        ),
    }


def test_keyboard_only_buyer(new_page, charlie, shelves, carriers):
    page = new_page("desktop")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    keys = Keyboard(page)
    sign_in(page, charlie)
    page.goto("/")

    # The skip link is the first stop, painted above the navbar, and takes focus to the main content.
    keys.tab_to("a.skip-link", limit=1)
    box = page.locator("a.skip-link").bounding_box()
    assert box["width"] > 20 and box["height"] > 20
    on_top = "(b) => document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2).closest('a.skip-link') !== null"
    assert page.evaluate(on_top, box), "the focused skip link is covered"
    page.keyboard.press("Enter")
    assert keys.focused("main#main")

    # Search from the navbar (back up from the main content).
    keys.tab_to("#nav-search", backwards=True)
    keys.type_into_focused("classic")
    page.keyboard.press("Enter")
    expect(page.locator("article.book-card")).to_have_count(3)

    # Filter: the highest price, typed, then "Apply filters" with Enter.
    keys.tab_to("input[name$='price_max']")
    keys.type_into_focused("10")
    keys.tab_to("#filters-panel button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("article.book-card")).to_have_count(1)
    assert "price_max=10" in page.url

    # Open the listing, then a wrong number of copies: the error is announced and focused, the title says so.
    keys.tab_to("article.book-card h3 a")
    page.keyboard.press("Enter")
    # The book page lists its copies: "Details" opens the one for sale.
    expect(page).to_have_url(re.compile(r"/books/work/\d+/$"))
    page.wait_for_load_state()
    keys.tab_to("td a.btn-outline-secondary[href^='/books/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dune")
    keys.tab_to("#add-quantity")
    keys.type_into_focused("0")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: Add to cart"))
    page.wait_for_function("document.activeElement !== document.body")
    assert keys.focused(".alert-danger, [aria-invalid=true]"), page.evaluate("document.activeElement.outerHTML")
    keys.check_focus()
    if not keys.focused("input"):
        keys.tab_to("input[name=quantity]")
    keys.type_into_focused("1")
    page.keyboard.press("Enter")

    # Added: focus is on the success message; then on to checkout.
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    page.wait_for_function("document.activeElement.matches('#messages .alert')")
    assert "Dune" in page.evaluate("document.activeElement.innerText")
    assert not page.title().startswith("Error")
    keys.check_focus()
    keys.tab_to("a[href$='/checkout/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")

    # Choose bob's carrier with the arrow keys: the summary changes in place, nothing reloads, focus stays.
    page.evaluate("window.keyboardJourneyMarker = 'still here'")
    loads = len(navigations)
    total = page.locator("#checkout-summary [data-total]")
    first_total = Decimal(total.get_attribute("data-amount"))
    keys.tab_to("#checkout-shipping input[type=radio]:checked")
    chosen = page.evaluate("document.activeElement.id")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("document.body.dataset.summaryUpdates === '1'")
    assert page.evaluate("window.keyboardJourneyMarker") == "still here"
    assert len(navigations) == loads, "a radio change reloaded the page"
    assert page.evaluate("document.activeElement.id") != chosen and keys.focused("input[type=radio]:checked")
    keys.check_focus()
    new_total = Decimal(total.get_attribute("data-amount"))
    assert new_total > first_total
    assert page.locator("#checkout-summary").get_attribute("aria-live") == "polite"
    page.keyboard.press("ArrowUp")
    page.wait_for_function("document.body.dataset.summaryUpdates === '2'")
    assert Decimal(total.get_attribute("data-amount")) == first_total
    page.keyboard.press("ArrowDown")
    page.wait_for_function("document.body.dataset.summaryUpdates === '3'")
    assert len(navigations) == loads and page.evaluate("window.keyboardJourneyMarker") == "still here"

    # Place the order: it costs the total the page showed after the arrow keys.
    keys.tab_to("#checkout-actions button[value=place]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay order")
    order = Order.objects.get(buyer=charlie)
    assert order.total == new_total

    # Pay: first with the fields empty (an error, focused, "Error:" in the title), then with the approving card.
    keys.tab_to("button[type=submit].btn-lg")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: Pay order"))
    page.wait_for_function("document.activeElement !== document.body")
    assert keys.focused(".alert-danger, [aria-invalid=true]"), page.evaluate("document.activeElement.outerHTML")
    keys.check_focus()
    for name, value in [("name", "Charlie Buyer"), ("number", APPROVE), ("cvc", "123")]:
        if not keys.focused(f"input[name={name}]"):
            keys.tab_to(f"input[name={name}]")
        keys.type_into_focused(value)
    keys.tab_to("select[name=exp_year]", backwards=True)
    page.keyboard.press("End")  # the last year on the list
    keys.tab_to("select[name=exp_month]", backwards=True)
    page.keyboard.press("End")
    keys.tab_to("button[type=submit].btn-lg")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Payment approved")
    page.wait_for_function("document.activeElement.matches('#messages .alert')")
    keys.check_focus()
    assert path_of(page) == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID

    # Every stop passed showed a ring of at least 3:1; the walk went through all the page kinds above.
    kinds = {stop["element"].split(" ")[0].split("#")[0].split("[")[0] for stop in keys.stops}
    assert {"a", "input", "button", "select"} <= kinds, kinds
    assert len(keys.stops) > 20


@pytest.mark.parametrize("language", ["en", "es"])
def test_buying_on_a_phone_first_screen(browser, live_server, charlie, shelves, carriers, language):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.base_url = live_server.url
    page.size_name = f"375-{language}"
    try:
        sign_in(page, charlie)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(shelves["dune"].get_absolute_url())
        for selector in (".price", "form[action*='/cart/add/'] button[type=submit]"):
            box = page.locator(f"main {selector}").first.bounding_box()
            assert box and box["y"] + box["height"] <= 812, f"{selector} is below the first screen: {box}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "phone-listing")

        page.locator("form[action*='/cart/add/'] button[type=submit]").click()
        page.goto("/checkout/")
        bar = page.locator("#checkout-bar")
        expect(bar).to_be_visible()
        bar_amount = bar.locator("[data-bar-total]").get_attribute("data-amount")
        for part in ("[data-bar-total]", "button[value=place]"):
            box = bar.locator(part).bounding_box()
            assert box and box["y"] + box["height"] <= 812, f"{part} is out of sight: {box}"
        assert (
            bar.locator("[data-bar-total]").inner_text() == page.locator("#checkout-summary [data-total]").inner_text()
        )
        screenshot(page, "phone-checkout")
        page.mouse.wheel(0, 400)
        box = bar.locator("button[value=place]").bounding_box()
        assert box["y"] + box["height"] <= 812  # it stays at the bottom of the screen while scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert_accessible(page)
        bar.locator("button[value=place]").click()  # the bar's button sends the checkout form
        expect(page.locator("main h1")).to_contain_text("Pay order" if language == "en" else "Pagar")
        assert Order.objects.get(buyer=charlie).total == Decimal(bar_amount)
    finally:
        context.close()


def test_desktop_checkout_keeps_its_summary_column(new_page, charlie, charlie_address, shelves, carriers):
    """On a desktop the summary stays in its column; another address brings its own carriers, in place."""
    AddressFactory(user=charlie, full_name="Charlie at work", country="US", region="TX", city="Austin")
    page = new_page("desktop")
    sign_in(page, charlie)
    page.goto(shelves["dune"].get_absolute_url())
    page.locator("form[action*='/cart/add/'] button[type=submit]").click()
    page.goto("/checkout/")
    expect(page.locator("#checkout-bar")).to_be_hidden()
    expect(page.locator("#checkout-actions button[value=place]")).to_be_visible()
    assert_accessible(page)

    page.evaluate("window.keyboardJourneyMarker = 'still here'")
    carriers_before = page.locator("#checkout-shipping").inner_text()
    page.locator("input[name=address]:checked").focus()
    page.keyboard.press("ArrowDown")  # from the newest address (Austin) to the Colombian one
    page.wait_for_function("document.body.dataset.summaryUpdates === '1'")
    assert page.evaluate("window.keyboardJourneyMarker") == "still here"
    assert page.evaluate("document.activeElement.value") == str(charlie_address.pk)
    assert page.locator("#checkout-shipping").inner_text() != carriers_before
    # The page's fingerprint now is the server's for this address: placing works without another round trip.
    page.locator("#checkout-actions button[value=place]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay order")
    assert Order.objects.get(buyer=charlie).ship_country == "CO"


def test_focus_ring_contrast_on_every_kind_of_control(new_page, charlie, shelves):
    """Walk the catalog page from the top to the footer: every stop (navbar, filters, cards, footer) passes 3:1."""
    page = new_page("desktop")
    sign_in(page, charlie)
    page.goto("/books/?q=classic")
    keys = Keyboard(page)
    keys.tab_to("footer button[type=submit]", limit=150)
    kinds = {stop["element"].split(" ")[0].split("#")[0].split("[")[0] for stop in keys.stops}
    assert {"a", "input", "button", "select"} <= kinds, kinds
