"""The listings import's rules, through catalog.services.imports: dry run, apply, idempotency, formats, resuming."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from catalog.imports.resource import export_inventory
from catalog.models import Book, ImportRun, Listing
from catalog.services import imports as import_service
from catalog.services.imports import check_upload, start_import
from catalog.tests.import_files import bad_rows, csv_bytes, good_rows, isbn13, xlsx_bytes
from conftest import BookFactory, ListingFactory

Status = Listing.Status


def upload(data: bytes, name: str = "listings.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def apply(run: ImportRun, capture) -> ImportRun:
    """Queue the run and run its job (the queue is eager in tests: it runs after the commit)."""
    with capture(execute=True):
        start_import(run)
    run.refresh_from_db()
    return run


def import_file(seller, data: bytes, capture, name: str = "listings.csv", **options) -> ImportRun:
    return apply(check_upload(seller, upload(data, name), **options), capture)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def small_batches(settings):
    settings.SELLER_IMPORT_BATCH_SIZE = 100


def test_a_thousand_good_rows_and_twenty_bad_ones(alice, capture, small_batches):
    good = good_rows(1000)
    bad = bad_rows()
    rows = good[:400] + [row for row, _column in bad] + good[400:]
    data = csv_bytes(rows)
    expected = {400 + 2 + number: column for number, (_row, column) in enumerate(bad)}

    run = check_upload(alice, upload(data))
    assert not Listing.objects.exists(), "the dry run writes nothing"
    assert run.file.name.startswith(f"private/imports/{alice.pk}/") and run.file.storage.exists(run.file.name)
    assert (run.status, run.rows_total) == (ImportRun.Status.CHECKED, 1020)
    assert (run.created_count, run.updated_count, run.unchanged_count, run.refused_count) == (1000, 0, 0, 20)
    reported = {error["line"]: error["column"] for error in run.row_errors}
    assert reported == expected
    assert all(error["message"] for error in run.row_errors)
    by_column = {error["column"]: error for error in run.row_errors if error["line"] == 402}
    assert by_column["condition"]["value"] == "Like new-ish"
    isbn_error = next(error for error in run.row_errors if error["column"] == "isbn")
    assert "check digit" in isbn_error["message"]
    price_error = next(error for error in run.row_errors if error["value"] == "12,5O")
    assert price_error["line"] == 403

    run = apply(run, capture)
    assert run.status == ImportRun.Status.DONE
    assert (run.created_count, run.updated_count, run.unchanged_count, run.refused_count) == (1000, 0, 0, 20)
    assert Listing.objects.filter(seller=alice).count() == 1000
    assert {error["line"] for error in run.row_errors} == set(expected)
    assert run.applied_rows == 1020 and run.percent == 100
    assert not run.file.storage.exists(run.file.name), "the seller's file is not kept once applied"
    listing = Listing.objects.select_related("book").get(sku="SKU-00001")
    assert listing.book.isbn13 == isbn13(1) and listing.price == Decimal("12.50")
    assert listing.condition == Listing.Condition.VERY_GOOD  # "muy bueno"
    assert Listing.objects.get(sku="SKU-00002").status == Status.DRAFT
    assert Listing.objects.get(sku="SKU-00000").status == Status.ACTIVE
    assert Listing.objects.get(sku="SKU-00002").book.category.slug == "history"
    assert Listing.objects.get(sku="SKU-00001").book.language == Book.Language.SPANISH
    # The summary email goes out through the outbox.
    assert any("imported" in message.subject for message in mail.outbox)

    # The same file again changes nothing.
    before = dict(Listing.objects.values_list("sku", "updated_at"))
    books = Book.objects.count()
    again = import_file(alice, data, capture)
    assert (again.created_count, again.updated_count, again.unchanged_count, again.refused_count) == (0, 0, 1000, 20)
    assert dict(Listing.objects.values_list("sku", "updated_at")) == before
    assert Book.objects.count() == books


def test_new_prices_update_only_prices(alice, capture):
    import_file(alice, csv_bytes(good_rows(30)), capture)
    before = {listing.sku: listing for listing in Listing.objects.all()}
    run = import_file(alice, csv_bytes(good_rows(30, price="15.00")), capture)
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 30, 0)
    for listing in Listing.objects.all():
        old = before[listing.sku]
        assert listing.price == Decimal("15.00")
        for name in ("condition", "condition_notes", "quantity", "status", "book_id", "published_at"):
            assert getattr(listing, name) == getattr(old, name)


def test_export_then_import_changes_nothing(alice, capture):
    ListingFactory(seller=alice, sku="HAND-1", book__isbn13=isbn13(5), condition_notes="Signed; torn jacket")
    ListingFactory(seller=alice, sku="HAND-2", status=Status.PAUSED, price=Decimal("1234.50"))
    ListingFactory(seller=alice, status=Status.DRAFT, quantity=0, published_at=None)
    ListingFactory(seller=alice, status=Status.HIDDEN, hidden_reason="Spam")
    ListingFactory(seller=alice, status=Status.ACTIVE, quantity=0)
    import_file(alice, csv_bytes(good_rows(20)), capture)
    before = dict(Listing.objects.values_list("sku", "updated_at"))
    for fmt, name in (("csv", "inventory.csv"), ("xlsx", "inventory.xlsx")):
        content = export_inventory(alice, fmt)
        data = content.encode() if isinstance(content, str) else content
        run = import_file(alice, data, capture, name=name)
        assert (run.created_count, run.updated_count, run.refused_count) == (0, 0, 0), run.row_errors
        assert run.unchanged_count == 25
    assert dict(Listing.objects.values_list("sku", "updated_at")) == before


@pytest.mark.parametrize("kind", ["latin-1 csv", "semicolon csv", "tsv", "xlsx"])
def test_formats_are_read(alice, capture, kind):
    rows = good_rows(8)
    rows[0]["title"] = "Años de soledad"
    rows[0]["isbn"] = ""
    data, name = {
        "latin-1 csv": (csv_bytes(rows, encoding="latin-1"), "libros.csv"),
        "semicolon csv": (csv_bytes(rows, delimiter=";"), "libros.csv"),
        "tsv": (csv_bytes(rows, delimiter="\t"), "libros.tsv"),
        "xlsx": (xlsx_bytes(rows), "libros.xlsx"),
    }[kind]
    run = import_file(alice, data, capture, name=name)
    assert (run.created_count, run.refused_count) == (8, 0), run.row_errors
    assert Listing.objects.get(sku="SKU-00000").book.title == "Años de soledad"


def test_xlsx_numbers_are_read_as_text(alice, capture):
    rows = good_rows(2)
    rows[0]["price"] = 12.5
    rows[0]["quantity"] = 3
    rows[1]["isbn"] = int(isbn13(1))
    run = import_file(alice, xlsx_bytes(rows), capture, name="numbers.xlsx")
    assert run.refused_count == 0, run.row_errors
    listing = Listing.objects.get(sku="SKU-00000")
    assert (listing.price, listing.quantity) == (Decimal("12.50"), 3)


def test_a_known_isbn_reuses_the_catalogs_book(alice, capture):
    book = BookFactory(isbn13="9780141439549", title="Middlemarch")
    rows = good_rows(1)
    rows[0].update(isbn="0-14-143954-8", title="", author="", category="")
    run = import_file(alice, csv_bytes(rows), capture)
    assert run.refused_count == 0, run.row_errors
    assert Listing.objects.get(sku="SKU-00000").book == book
    assert Book.objects.filter(isbn13="9780141439549").count() == 1


def test_whole_inventory_pauses_the_listings_missing_from_the_file(alice, bob, capture):
    kept = ListingFactory(seller=alice, sku="KEEP", status=Status.ACTIVE)
    missing = ListingFactory(seller=alice, sku="GONE", status=Status.ACTIVE)
    draft = ListingFactory(seller=alice, sku="DRAFT", status=Status.DRAFT)
    others = ListingFactory(seller=bob, sku="GONE", status=Status.ACTIVE)
    rows = good_rows(2)
    rows[0]["sku"] = "KEEP"
    run = check_upload(alice, upload(csv_bytes(rows)), whole_inventory=True)
    assert run.paused_count == 1
    run = apply(run, capture)
    assert run.paused_count == 1
    statuses = {listing.pk: listing.status for listing in Listing.objects.all()}
    assert statuses[missing.pk] == Status.PAUSED
    assert statuses[kept.pk] == Status.ACTIVE and statuses[draft.pk] == Status.DRAFT
    assert statuses[others.pk] == Status.ACTIVE


def test_status_rules_follow_the_listing_state_machine(alice, capture):
    ListingFactory(seller=alice, sku="HID", status=Status.HIDDEN)
    ListingFactory(seller=alice, sku="ARC", status=Status.ARCHIVED)
    ListingFactory(seller=alice, sku="DRA", status=Status.DRAFT, published_at=None)
    rows = good_rows(3)
    for row, sku, status in zip(rows, ("HID", "ARC", "DRA"), ("active", "active", "paused"), strict=True):
        row.update(sku=sku, status=status)
    run = check_upload(alice, upload(csv_bytes(rows)))
    assert run.refused_count == 3
    assert {(error["line"], error["column"]) for error in run.row_errors} == {(2, "status"), (3, "sku"), (4, "status")}


def test_a_failure_halfway_keeps_whole_batches_and_resumes(alice, capture, small_batches, monkeypatch):
    data = csv_bytes(good_rows(450))
    run = check_upload(alice, upload(data))
    real = import_service.apply_batch
    calls = {"n": 0}

    def failing_third_batch(run, batch, offset):
        calls["n"] += 1
        if calls["n"] == 3:
            real(run, batch[:50], offset)  # half of it is written, then the batch fails: all of it rolls back
            raise RuntimeError("database went away")
        real(run, batch, offset)

    monkeypatch.setattr(import_service, "apply_batch", lambda *args: _atomic(failing_third_batch, *args))
    run = apply(run, capture)
    assert run.status == ImportRun.Status.FAILED
    assert run.applied_rows == 200 and Listing.objects.count() == 200
    assert "line 202" in run.failure

    monkeypatch.setattr(import_service, "apply_batch", real)
    with capture(execute=True):
        import_service.resume_import(run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert Listing.objects.count() == 450 and run.created_count == 450 and run.applied_rows == 450


def _atomic(func, *args):
    from django.db import transaction

    with transaction.atomic():
        func(*args)


def test_applying_twice_or_a_done_run_is_refused(alice, capture):
    from core.states import IllegalTransition

    run = import_file(alice, csv_bytes(good_rows(2)), capture)
    with pytest.raises(IllegalTransition):
        start_import(run)
    with pytest.raises(IllegalTransition):
        import_service.resume_import(run)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("listings.pdf", b"%PDF-1.4", "file_type"),
        ("listings.xlsx", b"sku,price\n", "file_type"),
        ("listings.csv", b"", "empty"),
        ("listings.csv", b"title,author\nDune,Herbert\n", "columns"),
        ("listings.csv", b"\x00\x01\x02binary", "file_type"),
    ],
)
def test_files_that_cannot_be_used_are_refused_whole(alice, name, data, code):
    with pytest.raises(ValidationError) as info:
        check_upload(alice, upload(data, name))
    assert info.value.code == code
    assert not ImportRun.objects.exists()


def test_too_large_a_file_is_refused(alice, settings):
    settings.SELLER_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as info:
        check_upload(alice, upload(csv_bytes(good_rows(5))))
    assert info.value.code == "file_size"


# --- The catalog's page cache ---------------------------------------------------------------------------------


def test_imported_and_changed_listings_show_at_once_in_the_cached_catalog(page_cache, client, alice, capture):
    from catalog.tests.test_cache import _cached_twice

    ListingFactory(seller=alice, sku="OLD-1", book__title="Already Listed", price=Decimal("12.50"))
    assert "Already Listed" in _cached_twice(client)
    rows = good_rows(1)
    rows[0].update(title="Freshly Imported", isbn="", status="active")
    import_file(alice, csv_bytes(rows), capture)
    page = client.get("/books/").content.decode()
    assert "Freshly Imported" in page

    exported = export_inventory(alice, "csv").replace("12.50", "7.25")
    import_file(alice, exported.encode(), capture)
    page = client.get("/books/").content.decode()
    assert "$7.25" in page and "$12.50" not in page


def test_a_dry_run_leaves_the_cached_catalog_alone(page_cache, client, alice, capture):
    from catalog.cache import versions
    from catalog.tests.test_cache import _cached_twice

    _cached_twice(client)
    version = versions._version_from({})
    with capture(execute=True):
        check_upload(alice, upload(csv_bytes(good_rows(3))))
    assert versions._version_from({}) == version


# --- Queries --------------------------------------------------------------------------------------------------


def _apply_queries(alice, rows, capture) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run = check_upload(alice, upload(csv_bytes(rows)))
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        start_import(run)
    return len(queries)


def test_each_batch_takes_the_same_number_of_queries(alice, capture, settings):
    settings.SELLER_IMPORT_BATCH_SIZE = 50
    one_batch = _apply_queries(alice, good_rows(50), capture)
    five_batches = _apply_queries(alice, good_rows(250, start=1000), capture)
    per_batch = (five_batches - one_batch) / 4
    # 12, and the books' figures of the batch (catalog.book_stats): at most 5. SQLite takes at most 999
    # parameters a query, so it inserts a batch of 50 listings in two.
    budget = (13 if connections["default"].vendor == "sqlite" else 12) + 5
    assert per_batch == int(per_batch) and per_batch <= budget, (one_batch, five_batches)
    # Updating instead of creating takes no more.
    updates = good_rows(250, start=1000, price="99.00")
    assert _apply_queries(alice, updates, capture) <= five_batches


def test_spanish_headings_and_words_are_understood(alice, capture):
    data = (
        "Referencia;ISBN;Título;Autor;Condición;Precio;Cantidad;Notas;Idioma;Encuadernación;Categoría;Estado\n"
        "ES-1;;Rayuela;Julio Cortázar;Como nuevo;15,90;2;Firmado;Español;Tapa blanda;Ficción;Borrador\n"
    ).encode("latin-1")
    run = import_file(alice, data, capture, name="inventario.csv")
    assert run.refused_count == 0, run.row_errors
    listing = Listing.objects.select_related("book").get(sku="ES-1")
    assert (listing.condition, listing.price, listing.quantity, listing.status) == (
        Listing.Condition.AS_NEW,
        Decimal("15.90"),
        2,
        Status.DRAFT,
    )
    assert (listing.book.language, listing.book.binding, listing.book.category.slug) == ("es", "paperback", "fiction")


# --- Housekeeping ---------------------------------------------------------------------------------------------


def test_dry_runs_never_applied_are_forgotten_after_a_week(alice, capture):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.tasks import prune_import_runs_task
    from jobs.models import ScheduledRun

    old = check_upload(alice, upload(csv_bytes(good_rows(2))))
    recent = check_upload(alice, upload(csv_bytes(good_rows(2))))
    applied = import_file(alice, csv_bytes(good_rows(2)), capture)
    ImportRun.objects.filter(pk__in=[old.pk, applied.pk]).update(created_at=timezone.now() - timedelta(days=8))
    with capture(execute=True):
        prune_import_runs_task()
    assert set(ImportRun.objects.values_list("pk", flat=True)) == {recent.pk, applied.pk}
    assert not old.file.storage.exists(old.file.name) and recent.file.storage.exists(recent.file.name)
    assert ScheduledRun.objects.filter(task="catalog.prune_import_runs").count() == 1
