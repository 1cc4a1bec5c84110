"""A file of many batches is applied whole, and applied again changes nothing. Slow: run with -m slow.

How long the largest file takes (20,000 rows, the issue's bar of 2 minutes) is measured by the bench
(bench/volume.py), not here; that each batch costs the same number of queries is test_imports.py's.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ImportRun, Listing
from catalog.services.imports import check_upload, start_import
from catalog.tests.import_files import csv_bytes, good_rows

pytestmark = pytest.mark.slow
ROWS = 5_000


def test_a_file_of_ten_batches_is_applied_whole_then_unchanged(alice, django_capture_on_commit_callbacks):
    data = csv_bytes(good_rows(ROWS))
    run = check_upload(alice, SimpleUploadedFile("big.csv", data))
    assert run.status == ImportRun.Status.CHECKED and run.rows_total == ROWS
    with django_capture_on_commit_callbacks(execute=True):
        start_import(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.created_count == ROWS
    assert Listing.objects.filter(seller=alice).count() == ROWS
    assert set(Listing.objects.values_list("sku", flat=True)) == {row["sku"] for row in good_rows(ROWS)}

    again = check_upload(alice, SimpleUploadedFile("big.csv", data))
    with django_capture_on_commit_callbacks(execute=True):
        start_import(again)
    again.refresh_from_db()
    assert again.status == ImportRun.Status.DONE
    assert (again.unchanged_count, again.created_count, again.updated_count) == (ROWS, 0, 0)
