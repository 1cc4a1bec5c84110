"""The API's pages on the site: the token page (make one with the keyboard alone, see it once, revoke it) and the
interactive reference, in English and Spanish, axe-clean at every impact and without sideways scrolling at 375 px."""

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from tests.browser.conftest import axe_violations, screenshot, sign_in, unlabelled_fields
from tests.browser.test_every_page import ALL_IMPACTS, PHONE_WIDTH, TOO_WIDE
from tests.browser.test_keyboard_journey import Keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_page(page, name: str) -> list[str]:
    problems = [
        f"{name}: {v['id']} ({v['impact']}) {v['help']} {v['nodes']}" for v in axe_violations(page, ALL_IMPACTS)
    ]
    problems += [f"{name}: field without a label: {html}" for html in unlabelled_fields(page)]
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    wide = page.evaluate(TOO_WIDE, PHONE_WIDTH)
    if wide["found"] or wide["scrollWidth"] > PHONE_WIDTH:
        problems.append(f"{name}: {wide['scrollWidth']} px wide at {PHONE_WIDTH} px: {wide['found']}")
    screenshot(page, f"api-{name}")
    return problems


@pytest.mark.parametrize("language", ["en", "es"])
def test_token_page_by_keyboard(new_page, charlie, language):
    page = new_page("desktop")
    sign_in(page, charlie)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto("/accounts/profile/")
    keys = Keyboard(page)
    keys.tab_to("a[href='/accounts/tokens/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.tab_to("#id_name")
    keys.type_into_focused("Shop spreadsheet")
    keys.tab_to("input[value='sell']")
    page.keyboard.press("Space")
    keys.tab_to("form[action='/accounts/tokens/'] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    secret = page.locator("#new-token").input_value()
    token = ApiToken.objects.get(user=charlie)
    assert secret.startswith(token.prefix) and token.scopes == "read sell"
    problems = check_page(page, f"tokens-{language}")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    assert secret not in page.content()
    keys.tab_to(f"form[action='/accounts/tokens/{token.pk}/revoke/'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    token.refresh_from_db()
    assert token.revoked_at is not None
    expect(page.locator("#messages")).not_to_be_empty()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "es"])
def test_docs_page(new_page, db, language):
    page = new_page("desktop")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto("/api/v1/docs/")
    expect(page.locator("footer a[href='/api/v1/docs/']")).to_be_visible()  # every page links here
    # Swagger UI (vendored) has read the description and lists the operations.
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/catalog/books")).to_be_visible(timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == language
    problems = check_page(page, f"docs-{language}")
    assert not problems, "\n".join(problems)


def test_docs_page_tries_a_call_with_a_token_given_in_authorize(new_page, charlie):
    """A visitor who is not signed in gives a token in Swagger UI's Authorize dialog and runs a call with it."""
    from api.services import create_token

    _token, secret = create_token(charlie, "Docs", ["read"])
    page = new_page("desktop")
    page.goto("/api/v1/docs/")
    authorize = page.locator(".scheme-container .btn.authorize")
    expect(authorize).to_be_visible(timeout=30_000)
    authorize.click()
    dialog = page.locator(".dialog-ux .modal-ux")
    expect(dialog).to_be_visible()
    problems = check_page(page, "docs-authorize")
    page.set_viewport_size({"width": 1280, "height": 800})
    field = dialog.locator("input[type=text], input[type=password]").first
    field.fill(secret)
    dialog.locator("button.authorize").first.click()
    expect(dialog.get_by_role("button", name="Logout").first).to_be_visible()
    problems += check_page(page, "docs-authorized")
    page.set_viewport_size({"width": 1280, "height": 800})
    dialog.locator("button.btn-done").first.click()
    expect(dialog).to_be_hidden()

    operation = page.locator(
        ".opblock", has=page.locator(".opblock-summary-path", has_text="/api/v1/orders/addresses")
    )
    operation.locator(".opblock-summary").first.click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200", timeout=15_000
    )
    assert not problems, "\n".join(problems)
