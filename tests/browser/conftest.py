"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

One browser per test module; one fresh context (cookies, viewport) per test. Every journey runs twice: at a
desktop size and at a phone size (390 x 844, touch). A page's JavaScript errors fail the test. Screenshots go
to test-output/screenshots/ (ignored by git) for a person to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import OUTPUT

# Playwright's sync API keeps an asyncio loop running in this thread while it is started; Django refuses ORM
# calls from a thread with a running loop unless told that this is deliberate. Set only while a browser
# module runs: later tests (and the subprocesses they start, such as `check --deploy`) must not inherit it.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parents[1] / "assets" / "axe.min.js"
SCREENSHOTS = OUTPUT / "screenshots"

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
TIMEOUT_MS = 15_000

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the browser suite is skipped below
    sync_playwright = None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "needs the playwright package (requirements-dev.txt)"
    elif not os.access(CHROMIUM, os.X_OK):
        reason = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def browser():
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.ROOT_URLCONF = "tests.browser.urls"


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """The size the journey runs at: "desktop" or "phone"."""
    return request.param


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def new_page(request, browser, live_server):
    """new_page(viewport="desktop") -> a page in a fresh browser context (its own cookies) on the live server.

    When the test fails, each page's last screenshot and HTML are kept in test-output/failures/.
    """
    contexts, errors, pages = [], [], []

    def make(size: str = "desktop") -> "Page":
        context = browser.new_context(base_url=live_server.url, locale="en-US", **VIEWPORTS[size])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.size_name = size
        page.base_url = live_server.url
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        pages.append(page)
        return page

    yield make
    if getattr(request.node, "call_failed", False):
        _keep_failure(request.node.name, pages)
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


@pytest.fixture
def page(new_page, viewport):
    return new_page(viewport)


def _keep_failure(test_name: str, pages: list) -> None:
    folder = OUTPUT / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", test_name)
    for number, page in enumerate(pages):
        try:
            page.screenshot(path=str(folder / f"{stem}-{number}.png"), full_page=True)
            (folder / f"{stem}-{number}.html").write_text(f"<!-- {page.url} -->\n{page.content()}")
        except PlaywrightError:
            pass  # the page may be gone with its browser


def sign_in(page: "Page", user) -> None:
    """Give the browser a session of ``user`` without going through the login form (tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])


def screenshot(page: "Page", name: str) -> Path:
    """Save a full-page screenshot as test-output/screenshots/<name>-<size>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{getattr(page, 'size_name', 'desktop')}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def open_menu(page: "Page") -> None:
    """On a phone the navigation (search box included) is behind the menu button: open it."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#main-nav")).to_be_visible()


def submit_search(page: "Page", words: str) -> None:
    open_menu(page)
    box = page.get_by_role("combobox", name="Search books", exact=True)  # a search box with suggestions
    box.fill(words)
    box.press("Enter")
    page.wait_for_load_state()


def axe_violations(page: "Page", impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (the vendored file, no network) on the page; the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def assert_accessible(page: "Page") -> None:
    violations = axe_violations(page)
    assert not violations, "axe-core found serious or critical problems on {}:\n{}".format(
        page.url,
        "\n".join(f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations),
    )


def unlabelled_fields(page: "Page") -> list[str]:
    """Visible form controls without an accessible name (label, aria-label or aria-labelledby)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button')
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML.slice(0, 120))"""
    )


def path_of(page: "Page") -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


__all__ = [
    "PlaywrightError",
    "assert_accessible",
    "axe_violations",
    "expect",
    "open_menu",
    "path_of",
    "screenshot",
    "sign_in",
    "submit_search",
    "unlabelled_fields",
]
