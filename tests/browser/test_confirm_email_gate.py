"""An unconfirmed buyer at checkout, in a real browser: the page says what to do, works from the keyboard, fits a
375 px phone whatever the length of the address, speaks Spanish, and the emailed link leads back to the checkout.
"""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from conftest import UserFactory
from orders.services import add_to_cart, get_or_create_cart
from tests.browser.conftest import assert_accessible, expect, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKOUT = reverse("orders:checkout")
# One long word: an address with no place to break a line.
LONG_EMAIL = f"{'reader' * 12}@{'second-hand-books' * 8}.example.com"


@pytest.fixture
def unconfirmed_buyer(alice_listing):
    user = UserFactory(email=LONG_EMAIL, first_name="Hana", email_verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    add_to_cart(get_or_create_cart(user=user), alice_listing, 1)
    return user


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_page_explains_resends_from_the_keyboard_and_the_link_leads_back(page, unconfirmed_buyer, carriers):
    sign_in(page, unconfirmed_buyer)
    page.goto(CHECKOUT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address to check out")
    expect(page.locator("main")).to_contain_text(LONG_EMAIL)
    assert_accessible(page)
    screenshot(page, "confirm-email-gate")

    page.set_viewport_size({"width": 375, "height": 800})
    assert scroll_width(page) <= 375, "the page scrolls sideways at 375 px"

    # From the keyboard: Tab to the button, Enter sends the link; the page says so.
    button = page.get_by_role("button", name="Send me a new link")
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the button")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Confirmation email sent")
    assert page.url.endswith(CHECKOUT)

    [message] = [message for message in mail.outbox if message.to == [LONG_EMAIL]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(urlsplit(link).path)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**{CHECKOUT}")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Confirm your email address to check out")
    expect(page.get_by_role("button", name="Save this address and use it")).to_be_visible()


def test_the_page_speaks_spanish(page, unconfirmed_buyer):
    sign_in(page, unconfirmed_buyer)
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": page.base_url}])
    page.goto(CHECKOUT)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirma tu correo electrónico para finalizar la compra"
    )
    expect(page.get_by_role("button", name="Envíame un enlace nuevo")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "confirm-email-gate-es")
