"""20,000 rows import in under 2 minutes (the issue's bar), dry run and apply together. Slow: run with -m slow."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ImportRun, Listing
from catalog.services.imports import check_upload, start_import
from catalog.tests.import_files import csv_bytes, good_rows

pytestmark = pytest.mark.slow
ROWS = 20_000


def test_twenty_thousand_rows_in_under_two_minutes(alice, django_capture_on_commit_callbacks):
    data = csv_bytes(good_rows(ROWS))
    started = time.monotonic()
    run = check_upload(alice, SimpleUploadedFile("big.csv", data))
    checked = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        start_import(run)
    finished = time.monotonic()
    run.refresh_from_db()
    print(f"\n{ROWS} rows: dry run {checked - started:.1f} s, apply {finished - checked:.1f} s")
    assert run.status == ImportRun.Status.DONE and run.created_count == ROWS
    assert Listing.objects.count() == ROWS
    assert finished - started < 120
    # Applying it again (every row unchanged) is as quick.
    again = check_upload(alice, SimpleUploadedFile("big.csv", data))
    with django_capture_on_commit_callbacks(execute=True):
        start_import(again)
    print(f"again: {time.monotonic() - finished:.1f} s")
    again.refresh_from_db()
    assert again.unchanged_count == ROWS
