"""The seller's endpoints: inventory, one listing's life, photos, and sales to ship."""

from decimal import Decimal

import pytest

from catalog.models import Listing
from conftest import BookFactory, ListingFactory, make_image_bytes, make_upload
from orders.services import pay_order
from orders.states import ShipmentStatus
from orders.tests.conftest import card

SELL = "/api/v1/sell"


@pytest.fixture
def upload(client, token_for):
    """upload(user, path, files) posts ``files`` as the multipart field ``photos`` with a token of ``user``."""

    def post(user, path, files, scope="sell"):
        headers = {"Authorization": f"Bearer {token_for(user, scope)}"}
        return client.post(path, {"photos": files}, headers=headers)

    return post


@pytest.fixture
def new_listing(categories):
    return {
        "isbn": "",
        "title": "Cien años de soledad",
        "authors": "Gabriel García Márquez",
        "language": "es",
        "binding": "hardcover",
        "category": "fiction",
        "condition": "very_good",
        "price": "25.50",
        "quantity": 2,
        "sku": "GGM-001",
        "publish": True,
    }


# --- Inventory --------------------------------------------------------------------------------------------------


def test_inventory_searches_filters_and_pages(api, alice, bob, django_assert_max_num_queries):
    for n in range(5):
        ListingFactory(seller=alice, book__title=f"Dune part {n}", sku=f"DUNE-{n}", price=Decimal(10 + n))
    ListingFactory(seller=alice, book__title="Emma", status=Listing.Status.PAUSED)
    ListingFactory(seller=bob, book__title="Dune for bob")
    client = api(alice, "read")
    seen, cursor = [], None
    while True:
        params = {"q": "dune", "sort": "price", "limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(4):
            page = client.get(f"{SELL}/listings", params)
        assert page.status_code == 200, page.content
        seen += [item["sku"] for item in page.json()["items"]]
        cursor = page.json()["next"]
        if not cursor:
            break
    assert seen == [f"DUNE-{n}" for n in range(5)]
    paused = client.get(f"{SELL}/listings", {"status": "paused"}).json()["items"]
    assert [item["book"]["title"] for item in paused] == ["Emma"]


@pytest.mark.parametrize("sort", ["title", "-title", "condition", "-condition", "-updated", "quantity"])
def test_every_sort_pages_through_every_listing_once(api, alice, sort):
    listings = [ListingFactory(seller=alice, quantity=n % 3, condition=c) for n, c in
                enumerate(["as_new", "good", "fair", "very_good", "good", "as_new", "fair"])]  # fmt: skip
    client = api(alice, "read")
    seen, cursor = [], None
    for _ in range(10):
        page = client.get(f"{SELL}/listings", {"sort": sort, "limit": 3} | ({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.content
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(listing.pk for listing in listings)


def test_a_cursor_of_another_sort_and_bad_filters_are_refused(api, alice):
    for _ in range(3):
        ListingFactory(seller=alice)
    client = api(alice, "read")
    cursor = client.get(f"{SELL}/listings", {"sort": "price", "limit": 1}).json()["next"]
    assert client.get(f"{SELL}/listings", {"sort": "title", "cursor": cursor}).status_code == 400
    response = client.get(f"{SELL}/listings", {"status": "gone", "sort": "colour"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "sort"}


def test_a_user_without_a_shop_is_told_to_open_one(api, charlie):
    response = api(charlie, "sell").get(f"{SELL}/listings")
    assert (response.status_code, response.json()["code"]) == (403, "no_shop")


# --- One listing ------------------------------------------------------------------------------------------------


def test_create_read_update_pause_resume_and_delete(api, alice, new_listing):
    client = api(alice, "sell")
    created = client.post(f"{SELL}/listings", new_listing)
    assert created.status_code == 201, created.content
    data = created.json()
    assert created["Location"] == f"http://testserver{SELL}/listings/{data['id']}"
    assert (data["status"], data["sku"], data["price"]["amount"]) == ("active", "GGM-001", "25.50")
    assert data["book"]["title"] == "Cien años de soledad"

    path = f"{SELL}/listings/{data['id']}"
    assert client.get(path).json()["id"] == data["id"]
    changed = client.patch(path, {"price": "30.00", "quantity": 5, "condition_notes": "Signed"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["price"]["amount"], changed.json()["quantity"]) == ("30.00", 5)
    assert changed.json()["condition_notes"] == "Signed"
    assert changed.json()["book"]["title"] == "Cien años de soledad"

    assert client.post(f"{path}/pause").json()["status"] == "paused"
    again = client.post(f"{path}/pause")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")
    assert client.post(f"{path}/resume").json()["status"] == "active"

    assert client.delete(path).status_code == 204
    assert not Listing.objects.filter(pk=data["id"]).exists()


def test_a_known_isbn_reuses_the_catalog_book(api, alice, categories):
    book = BookFactory(isbn13="9780441172719", title="Dune", category=categories["fiction"])
    body = {"isbn": "0-441-17271-7", "condition": "good", "price": "9.00", "quantity": 1}
    created = api(alice, "sell").post(f"{SELL}/listings", body)
    assert created.status_code == 201, created.content
    assert created.json()["book"]["id"] == book.pk
    assert created.json()["status"] == "draft"


def test_bad_fields_are_named(api, alice, new_listing):
    client = api(alice, "sell")
    bad = {**new_listing, "price": "0", "quantity": -1, "condition": "mint", "isbn": "123", "category": "nope"}
    response = client.post(f"{SELL}/listings", bad)
    assert response.status_code == 422
    assert "category" in response.json()["errors"]
    response = client.post(f"{SELL}/listings", {**new_listing, "price": "0", "quantity": -1, "isbn": "123"})
    assert response.status_code == 422
    assert {"price", "quantity", "isbn"} <= set(response.json()["errors"])
    assert not Listing.objects.exists()


def test_a_taken_sku_is_a_field_error(api, alice, new_listing):
    ListingFactory(seller=alice, sku="GGM-001")
    response = api(alice, "sell").post(f"{SELL}/listings", new_listing)
    assert response.status_code == 422
    assert "sku" in response.json()["errors"]


def test_publishing_without_stock_is_a_conflict(api, alice):
    listing = ListingFactory(seller=alice, status=Listing.Status.DRAFT, quantity=0, published_at=None)
    response = api(alice, "sell").post(f"{SELL}/listings/{listing.pk}/publish")
    assert (response.status_code, response.json()["code"]) == (409, "no_stock")


def test_a_listing_that_sold_is_archived_not_deleted(api, alice, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(units_sold=1)
    response = api(alice, "sell").delete(f"{SELL}/listings/{alice_listing.pk}")
    assert response.status_code == 200
    assert response.json() == {"deleted": False, "archived": True}
    alice_listing.refresh_from_db()
    assert alice_listing.status == Listing.Status.ARCHIVED
    changed = api(alice, "sell").patch(f"{SELL}/listings/{alice_listing.pk}", {"price": "1.00"})
    assert changed.status_code == 409


def test_a_listing_held_by_an_unpaid_order_cannot_be_deleted(api, alice, placed_order, alice_listing):
    response = api(alice, "sell").delete(f"{SELL}/listings/{alice_listing.pk}")
    assert response.status_code == 409
    assert Listing.objects.filter(pk=alice_listing.pk).exists()


# --- Photos -----------------------------------------------------------------------------------------------------


def test_photos_are_uploaded_as_on_the_form(upload, alice, alice_listing):
    path = f"{SELL}/listings/{alice_listing.pk}/photos"
    response = upload(alice, path, [make_upload("a.jpg"), make_upload("b.png", "PNG")])
    assert response.status_code == 201, response.content
    assert [photo["position"] for photo in response.json()] == [0, 1]
    assert alice_listing.photos.count() == 2
    alice_listing.refresh_from_db()
    assert alice_listing.cover


def test_a_file_that_is_no_image_is_refused_and_nothing_is_kept(upload, alice, alice_listing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cover.jpg", b"<?php echo 'no image'; ?>", content_type="image/jpeg")
    good = make_upload("good.jpg")
    response = upload(alice, f"{SELL}/listings/{alice_listing.pk}/photos", [good, fake])
    assert response.status_code == 422, response.content
    assert "photos" in response.json()["errors"]
    assert alice_listing.photos.count() == 0


def test_too_many_photos_are_refused(upload, alice, alice_listing, settings):
    settings.PHOTOS_PER_LISTING = 2
    uploads = [make_upload(f"{n}.jpg") for n in range(3)]
    response = upload(alice, f"{SELL}/listings/{alice_listing.pk}/photos", uploads)
    assert response.status_code == 422
    assert "photos" in response.json()["errors"]


def test_an_image_over_the_size_limits_is_refused(upload, alice, alice_listing, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PHOTO_MAX_SIDE = 500
    huge = SimpleUploadedFile("big.png", make_image_bytes("PNG", (600, 400)), content_type="image/png")
    response = upload(alice, f"{SELL}/listings/{alice_listing.pk}/photos", [huge])
    assert response.status_code == 422


# --- Sales ------------------------------------------------------------------------------------------------------


def test_sales_to_ship_and_marking_one_shipped(api, alice, placed_order, django_assert_max_num_queries):
    pay_order(placed_order, card(), "api-sales-pay-key-0001")
    client = api(alice, "sell")
    with django_assert_max_num_queries(5):
        page = client.get(f"{SELL}/sales", {"status": "ready_to_ship"})
    assert page.status_code == 200, page.content
    (sale,) = page.json()["items"]
    assert sale["order_number"] == placed_order.number
    shipped = client.post(f"{SELL}/sales/{sale['id']}/ship", {"carrier": "DHL", "tracking_number": "12 3456 7890"})
    assert shipped.status_code == 422  # DHL does not carry alice's parcel inside Colombia
    assert "carrier" in shipped.json()["errors"]
    bad = client.post(f"{SELL}/sales/{sale['id']}/ship", {"tracking_number": "not-a-number!"})
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["tracking_number"])
    shipped = client.post(f"{SELL}/sales/{sale['id']}/ship", {})
    assert shipped.status_code == 200, shipped.content
    assert shipped.json()["status"] == ShipmentStatus.SHIPPED
    assert shipped.json()["tracking_number"]
    assert shipped.json()["events"][0]["status"] == "shipped"
    twice = client.post(f"{SELL}/sales/{sale['id']}/ship", {})
    assert (twice.status_code, twice.json()["code"]) == (409, "not_ready_to_ship")


def test_an_unpaid_sale_cannot_ship(api, alice, placed_order):
    shipment = placed_order.shipments.get(seller=alice)
    response = api(alice, "sell").post(f"{SELL}/sales/{shipment.pk}/ship", {})
    assert (response.status_code, response.json()["code"]) == (409, "not_ready_to_ship")


def test_a_tracking_number_in_the_carriers_format_is_kept(api, bob, placed_order):
    pay_order(placed_order, card(), "api-sales-pay-key-0002")
    shipment = placed_order.shipments.get(seller=bob)  # FedEx, US -> CO
    response = api(bob, "sell").post(f"{SELL}/sales/{shipment.pk}/ship", {"tracking_number": "1234 5678 9012"})
    assert response.status_code == 200, response.content
    assert response.json()["tracking_number"] == "123456789012"


def test_listings_changed_in_one_batch_page_without_a_gap(api, alice):
    """An upsert stamps a whole batch with one time: the cursor's key keeps every digit of it."""
    from django.utils import timezone

    listings = [ListingFactory(seller=alice) for _ in range(7)]
    Listing.objects.filter(seller=alice).update(updated_at=timezone.now().replace(microsecond=123456))
    client = api(alice, "read")
    seen, cursor = [], None
    for _ in range(10):
        page = client.get(f"{SELL}/listings", {"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == sorted((listing.pk for listing in listings), reverse=True)
