"""The three Bootstrap plugins of static/vendor/bootstrap/bootstrap.used.js (script/build-js.mjs) at work in a real
browser, by keyboard: the phone's menu button (collapse), the user menu (dropdown) and closing a message (alert)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_menu_button_user_menu_and_message_close_by_keyboard_on_a_phone(new_page, alice):
    page = new_page("phone")
    sign_in(page, alice)
    page.goto("/sell/?status=nonsense")  # an unknown status: the inventory says so in a message
    message = page.locator(".alert-dismissible")
    expect(message).to_be_visible()
    page.locator(".alert-dismissible .btn-close").focus()
    page.keyboard.press("Enter")
    expect(message).to_have_count(0)

    toggler = page.locator(".navbar-toggler")
    expect(page.locator("#main-nav")).to_be_hidden()
    toggler.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#main-nav")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")

    user_menu = page.locator("[data-bs-toggle='dropdown']")
    menu = page.locator(".dropdown-menu")
    expect(menu).to_be_hidden()
    user_menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(user_menu).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(menu.locator(".dropdown-item").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(user_menu).to_be_focused()
