"""A seller imports a listings file: upload, dry-run report, apply, the progress bar runs to the end, and the
listings are on the inventory. The import pages pass axe-core and fit a 375 px screen, at both sizes."""

import pytest
from django.urls import reverse

from catalog.models import ImportRun, Listing
from catalog.tests.import_files import bad_rows, csv_bytes, good_rows
from conftest import CategoryFactory
from jobs.services import run_due_jobs
from tests.browser.conftest import assert_accessible, expect, screenshot, sign_in, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_375(page) -> bool:
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": size["height"]})
    fits = page.evaluate("document.documentElement.scrollWidth <= 375")
    page.set_viewport_size(size)
    return fits


def check_page(page, name: str) -> None:
    assert_accessible(page)
    assert not unlabelled_fields(page)
    assert fits_375(page), f"{page.url} scrolls sideways at 375 px"
    screenshot(page, name)


def test_upload_dry_run_apply_and_find_the_listing(page, alice, settings, tmp_path):
    # A broker that is not there: the apply job waits in the outbox, and this test runs it while the page watches.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 0.2
    # The shelves the file names (an earlier test of this kind may have flushed the migrated ones).
    CategoryFactory(slug="fiction", name="Fiction", name_es="Ficción")
    CategoryFactory(slug="history", name="History", name_es="Historia")
    rows = good_rows(30)
    rows[7]["title"] = "The Imported Novel"
    rows[7]["isbn"] = ""
    rows[7]["status"] = "active"
    bad, _column = bad_rows()[1]  # price "12,5O"
    path = tmp_path / "my-books.csv"
    path.write_bytes(csv_bytes([*rows, bad]))

    sign_in(page, alice)
    page.goto(reverse("sell:inventory"))
    page.get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import listings from a file")
    check_page(page, "import-page")

    page.get_by_label("Your listings file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="What applying this file would do")).to_be_visible()
    expect(page.locator('[data-count="created"]')).to_have_text("30")
    expect(page.locator('[data-count="refused"]')).to_have_text("1")
    refused = page.locator("#refused-rows tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.first).to_contain_text("32")
    expect(refused.first).to_contain_text("12,5O")
    assert not Listing.objects.exists()
    check_page(page, "import-dry-run")

    page.get_by_role("button", name="Apply the file").click()
    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("aria-valuenow", "0")
    check_page(page, "import-progress")

    assert run_due_jobs()  # the worker's part
    expect(page.get_by_text("The file is applied.")).to_be_visible(timeout=15_000)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE and run.created_count == 30
    expect(page.locator('[data-count="created"]')).to_have_text("30")
    check_page(page, "import-done")

    page.get_by_role("link", name="See my inventory").click()
    expect(page.get_by_role("rowheader", name="The Imported Novel")).to_be_visible()
