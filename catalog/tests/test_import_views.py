"""The import and export pages under /sell/: personas, bad files, the report, progress, apply, export, the SKU."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.imports.columns import COLUMNS
from catalog.models import ImportRun, Listing
from catalog.services.imports import check_upload
from catalog.tests.import_files import bad_rows, csv_bytes, good_rows
from conftest import CategoryFactory, ListingFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Listing.Status


def csv_upload(rows, name="listings.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


@pytest.fixture
def alice_run(alice):
    return check_upload(alice, csv_upload([*good_rows(5), bad_rows()[0][0]]))


# --- Personas -------------------------------------------------------------------------------------------------


def run_urls(run):
    return [
        reverse("sell:import_run", args=[run.pk]),
        reverse("sell:import_run_status", args=[run.pk]),
    ]


def test_anonymous_is_sent_to_log_in(client, alice_run):
    for url in [reverse("sell:import"), reverse("sell:inventory_export", args=["csv"]), *run_urls(alice_run)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("sell:import_apply", args=[alice_run.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_buyer_without_a_shop_is_sent_to_open_one(client_for, charlie):
    response = client_for(charlie).get(reverse("sell:import"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:shop_edit")


@pytest.mark.parametrize("persona", ["bob", "staff_with_shop"])
def test_someone_elses_import_is_not_found(client_for, alice_run, bob, persona):
    user = bob
    if persona == "staff_with_shop":
        from conftest import ShopFactory

        user = UserFactory(email="staffer@example.com", is_staff=True)
        ShopFactory(owner=user)
    client = client_for(user)
    for url in run_urls(alice_run):
        assert client.get(url).status_code == 404
    for name in ("sell:import_apply", "sell:import_resume"):
        assert client.post(reverse(name, args=[alice_run.pk])).status_code == 404
    alice_run.refresh_from_db()
    assert alice_run.status == ImportRun.Status.CHECKED
    assert not Listing.objects.exists()


def test_wrong_methods(client_for, alice, alice_run):
    client = client_for(alice)
    assert client.get(reverse("sell:import_apply", args=[alice_run.pk])).status_code == 405
    assert client.post(reverse("sell:import_run_status", args=[alice_run.pk])).status_code == 405
    assert client.post(reverse("sell:inventory_export", args=["csv"])).status_code == 405


# --- The import page and uploads ------------------------------------------------------------------------------


def test_the_import_page_documents_the_columns(client_for, alice, alice_run, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sell:import"))
    assert response.status_code == 200
    page = response.content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in page
    assert reverse("sell:import_file", args=["template", "csv"]) in page
    assert "listings.csv" in page  # the recent imports


@pytest.mark.parametrize("kind", ["template", "sample"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_and_sample_download(client_for, alice, kind, fmt):
    response = client_for(alice).get(reverse("sell:import_file", args=[kind, fmt]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == (1 if kind == "template" else 4)


def test_the_sample_file_imports_cleanly(alice):
    from catalog.imports.resource import template_file

    run = check_upload(alice, SimpleUploadedFile("sample.csv", template_file("csv", sample=True).encode()))
    assert (run.created_count, run.refused_count) == (3, 0), run.row_errors


def test_unknown_template_file_is_404(client_for, alice):
    assert client_for(alice).get(reverse("sell:import_file", args=["secrets", "csv"])).status_code == 404
    assert client_for(alice).get(reverse("sell:import_file", args=["sample", "pdf"])).status_code == 404
    assert client_for(alice).get(reverse("sell:inventory_export", args=["pdf"])).status_code == 404


def test_upload_dry_runs_and_shows_the_report(client_for, alice, django_assert_max_num_queries):
    client = client_for(alice)
    rows = good_rows(3) + [row for row, _column in bad_rows()[:2]]
    response = client.post(reverse("sell:import"), {"file": csv_upload(rows)})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sell:import_run", args=[run.pk])
    assert not Listing.objects.exists()
    with django_assert_max_num_queries(8):
        response = client.get(response["Location"])
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="created">3<' in page and 'data-count="refused">2<' in page
    assert 'data-line="5"' in page and "Like new-ish" in page
    assert reverse("sell:import_apply", args=[run.pk]) in page


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("books.pdf", b"%PDF-1.4", 400, "Upload a CSV, TSV or Excel"),
        ("books.xlsx", b"not a zip", 400, "not an Excel"),
        ("books.csv", b"title\nDune\n", 400, "no column"),
    ],
)
def test_bad_files_get_a_clear_4xx(client_for, alice, name, content, status, message):
    response = client_for(alice).post(reverse("sell:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == status
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_too_large_a_file_is_413(client_for, alice, settings):
    settings.SELLER_IMPORT_MAX_BYTES = 50
    response = client_for(alice).post(reverse("sell:import"), {"file": csv_upload(good_rows(5))})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_no_file_is_400(client_for, alice):
    response = client_for(alice).post(reverse("sell:import"), {})
    assert response.status_code == 400


# --- Applying and progress ------------------------------------------------------------------------------------


def test_apply_runs_the_import_and_the_status_endpoint_follows(
    client_for, alice, alice_run, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = client_for(alice)
    status_url = reverse("sell:import_run_status", args=[alice_run.pk])
    assert client.get(status_url).json()["status"] == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sell:import_apply", args=[alice_run.pk]))
    assert response.status_code == 302
    assert Listing.objects.filter(seller=alice).count() == 5
    with django_assert_max_num_queries(4):
        data = client.get(status_url).json()
    assert data == {
        "status": "done",
        "status_label": "Done",
        "applied": 6,
        "total": 6,
        "percent": 100,
        "finished": True,
    }
    page = client.get(reverse("sell:import_run", args=[alice_run.pk])).content.decode()
    assert "The file is applied." in page
    # A second apply of the same run is refused with a message, not a 500.
    response = client.post(reverse("sell:import_apply", args=[alice_run.pk]), follow=True)
    assert response.status_code == 200 and "cannot be started now" in response.content.decode()


def test_a_queued_run_shows_a_progress_bar_with_a_no_js_refresh(client_for, alice, alice_run):
    ImportRun.objects.filter(pk=alice_run.pk).update(status=ImportRun.Status.APPLYING, applied_rows=3)
    page = client_for(alice).get(reverse("sell:import_run", args=[alice_run.pk])).content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="50"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert 'aria-live="polite"' in page and "js/import.js" in page


# --- Export ---------------------------------------------------------------------------------------------------


def test_export_csv_and_xlsx(client_for, alice, bob, django_assert_max_num_queries):
    ListingFactory(seller=alice, sku="MINE-1", book__title="Mine")
    ListingFactory(seller=alice, sku="OLD", status=Status.ARCHIVED)
    ListingFactory(seller=bob, sku="BOBS", book__title="Not mine")
    client = client_for(alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("sell:inventory_export", args=["csv"]))
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["sku"] for row in rows] == ["MINE-1"]
    assert rows[0]["title"] == "Mine" and rows[0]["price"] == "12.50" and rows[0]["condition"] == "very_good"
    response = client.get(reverse("sell:inventory_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["sku", "MINE-1"]


def test_the_inventory_links_to_import_and_export(client_for, alice):
    page = client_for(alice).get(reverse("sell:inventory")).content.decode()
    assert reverse("sell:import") in page and reverse("sell:inventory_export", args=["xlsx"]) in page


# --- The SKU on the listing form ------------------------------------------------------------------------------


def test_the_listing_form_shows_and_edits_the_sku(client_for, alice):
    listing = ListingFactory(seller=alice, sku="OLD-1")
    ListingFactory(seller=alice, sku="TAKEN")
    client = client_for(alice)
    url = reverse("sell:listing_edit", args=[listing.pk])
    assert 'value="OLD-1"' in client.get(url).content.decode()
    book = listing.book
    data = {
        "isbn": "",
        "title": book.title,
        "authors": book.authors,
        "language": book.language,
        "binding": book.binding,
        "category": book.category_id,
        "condition": listing.condition,
        "price": "12.50",
        "quantity": "3",
        "action": "save",
    }
    response = client.post(url, {**data, "sku": "TAKEN"})
    assert response.status_code == 400 and "Another of your listings has this SKU." in response.content.decode()
    response = client.post(url, {**data, "sku": "bad sku!"})
    assert response.status_code == 400
    assert client.post(url, {**data, "sku": "NEW-1"}).status_code == 302
    listing.refresh_from_db()
    assert listing.sku == "NEW-1"
    assert client.post(url, {**data, "sku": ""}).status_code == 302
    listing.refresh_from_db()
    assert listing.sku == "NEW-1"  # empty keeps the code


def test_a_new_listing_without_sku_gets_one(client_for, alice):
    category = CategoryFactory()
    data = {
        "isbn": "",
        "title": "Middlemarch",
        "authors": "George Eliot",
        "language": "en",
        "binding": "paperback",
        "category": category.pk,
        "condition": "good",
        "price": "8.50",
        "quantity": "2",
        "action": "publish",
    }
    client = client_for(alice)
    assert client.post(reverse("sell:listing_create"), data).status_code == 302
    assert client.post(reverse("sell:listing_create"), {**data, "sku": "MINE-7"}).status_code == 302
    skus = sorted(Listing.objects.values_list("sku", flat=True))
    assert skus[0].startswith("BS-") and len(skus[0]) == 11 and skus[1] == "MINE-7"
    # Another seller may use the same code.
    other = ListingFactory(sku="MINE-7")
    assert other.sku == "MINE-7"


# --- Admin ----------------------------------------------------------------------------------------------------


def test_staff_read_import_runs_in_the_admin(client_for, staff, alice_run, django_assert_max_num_queries):
    client = client_for(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:catalog_importrun_changelist"))
    assert response.status_code == 200 and "listings.csv" in response.content.decode()
    response = client.get(reverse("admin:catalog_importrun_change", args=[alice_run.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Like new-ish" in page
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:catalog_importrun_add")).status_code == 403


def test_the_import_pages_speak_spanish(client_for, alice, alice_run):
    client = client_for(alice)
    page = client.get(reverse("sell:import"), headers={"accept-language": "es"}).content.decode()
    assert "Importar publicaciones desde un archivo" in page and "Revisar el archivo" in page
    page = client.get(reverse("sell:import_run", args=[alice_run.pk]), headers={"accept-language": "es"})
    assert "Filas rechazadas" in page.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_downloaded_export_uploads_back_without_change(client_for, alice, fmt):
    ListingFactory(seller=alice, sku="RT-1", book__title="Cien años de soledad", condition_notes="Dedicatoria")
    ListingFactory(seller=alice, sku="RT-2", status=Status.PAUSED)
    client = client_for(alice)
    exported = client.get(reverse("sell:inventory_export", args=[fmt])).content
    response = client.post(reverse("sell:import"), {"file": SimpleUploadedFile(f"inventory.{fmt}", exported)})
    run = ImportRun.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert (run.created_count, run.updated_count, run.unchanged_count, run.refused_count) == (0, 0, 2, 0)


def test_a_file_checked_in_spanish_is_applied_and_reported_in_spanish(
    client_for, alice, mailoutbox, django_capture_on_commit_callbacks
):
    # The job that applies the file runs in no request: it writes in the language the file was checked in.
    client = client_for(alice)
    spanish = {"accept-language": "es"}
    rows = good_rows(3)
    rows[-1]["price"] = "doce"
    response = client.post(reverse("sell:import"), {"file": csv_upload(rows)}, headers=spanish)
    run = ImportRun.objects.get(seller=alice)
    assert response.status_code == 302 and run.language == "es"
    [checked] = run.row_errors
    assert checked["message"].startswith("Esto no es un precio")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sell:import_apply", args=[run.pk]), headers={"accept-language": "en"})
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    [applied] = run.row_errors
    assert applied["message"] == checked["message"]
    [summary] = [mail for mail in mailoutbox if mail.to == [alice.email]]
    assert summary.subject == "Tu archivo de publicaciones «listings.csv» está importado"
    page = client.get(reverse("sell:import_run", args=[run.pk]), headers=spanish).content.decode()
    assert "Esto no es un precio" in page and "This is not a price" not in page
