"""The bulk upsert: up to 1,000 listings by SKU in one call, with the rules and the batches of the file import."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Book, Listing
from conftest import ListingFactory

BULK = "/api/v1/sell/listings/bulk"


def items(count: int, start: int = 0, **overrides) -> list[dict]:
    return [
        {
            "sku": f"BULK-{n:05d}",
            "title": f"Book number {n}",
            "author": "A. Writer",
            "category": "fiction",
            "condition": "good",
            "price": "12.50",
            "quantity": 2,
            **overrides,
        }
        for n in range(start, start + count)
    ]


def test_new_skus_are_created_known_ones_updated_and_the_same_call_twice_changes_nothing(api, alice, categories):
    client = api(alice, "sell")
    first = client.post(BULK, {"items": items(3)})
    assert first.status_code == 200, first.content
    assert (first.json()["created"], first.json()["refused"]) == (3, 0)
    results = first.json()["results"]
    assert [r["outcome"] for r in results] == ["created"] * 3
    ids = {r["sku"]: r["listing_id"] for r in results}
    assert ids == dict(Listing.objects.filter(seller=alice).values_list("sku", "pk"))
    assert Listing.objects.get(sku="BULK-00000").status == Listing.Status.ACTIVE

    again = client.post(BULK, {"items": items(3)}).json()
    assert again["unchanged"] == 3
    changed = client.post(BULK, {"items": items(1, price="15,00", status="paused")}).json()
    assert changed["results"][0] == {
        "index": 0,
        "sku": "BULK-00000",
        "outcome": "updated",
        "listing_id": ids["BULK-00000"],
        "errors": [],
    }
    listing = Listing.objects.get(sku="BULK-00000")
    assert (str(listing.price), listing.status) == ("15.00", Listing.Status.PAUSED)


def test_each_bad_item_is_refused_alone_with_its_reasons(api, alice, categories):
    ListingFactory(seller=alice, sku="OLD-1", status=Listing.Status.ARCHIVED)
    body = [
        *items(2),
        {"sku": "BAD-1", "condition": "mint", "price": "-3", "quantity": 1, "title": "X", "author": "Y"},
        {"sku": "BULK-00000", "condition": "good", "price": "1", "quantity": 1, "title": "Twice", "author": "Y",
         "category": "fiction"},
        {"sku": "OLD-1", "condition": "good", "price": "1", "quantity": 1},
        {"sku": "NEW-1", "isbn": "9780000000000", "condition": "good", "price": "1", "quantity": 1},
        {"condition": "good", "price": "1", "quantity": 1},
    ]  # fmt: skip
    response = api(alice, "sell").post(BULK, {"items": body})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["refused"]) == (2, 5)
    by_index = {r["index"]: r for r in data["results"]}
    assert {e["field"] for e in by_index[2]["errors"]} == {"condition", "price"}
    assert by_index[3]["errors"][0]["field"] == "sku"  # the same SKU twice in one call
    assert "archived" in by_index[4]["errors"][0]["message"]
    assert by_index[5]["errors"][0]["field"] == "isbn"
    assert by_index[6]["errors"][0]["field"] == "sku"
    assert all(r["listing_id"] is None for r in data["results"][2:])
    assert Listing.objects.filter(seller=alice).count() == 3


def test_the_call_holds_at_most_1000_items(api, alice, categories):
    response = api(alice, "sell").post(BULK, {"items": items(1001)})
    assert response.status_code == 422
    assert not Listing.objects.exists()
    assert api(alice, "sell").post(BULK, {"items": []}).status_code == 422


def test_only_the_sellers_own_skus_are_matched(api, alice, bob, categories):
    ListingFactory(seller=bob, sku="BULK-00000", price="99.00")
    response = api(alice, "sell").post(BULK, {"items": items(1)}).json()
    assert response["created"] == 1
    assert str(Listing.objects.get(seller=bob).price) == "99.00"


def _queries(client, body) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(BULK, {"items": body})
    assert response.status_code == 200, response.content
    assert response.json()["refused"] == 0
    return len(captured.captured_queries)


def test_queries_per_batch_are_constant(api, alice, categories, settings):
    settings.SELLER_IMPORT_BATCH_SIZE = 50
    client = api(alice, "sell")
    client.get("/api/v1/sell/listings")  # the token's last use is recorded on the first call
    one_batch = _queries(client, items(50))
    four_batches = _queries(client, items(200, start=1000))
    per_batch = (four_batches - one_batch) / 3
    assert per_batch == int(per_batch) and per_batch <= 12, (one_batch, four_batches)
    # Updating the same 200 listings costs no more than creating them.
    assert _queries(client, items(200, start=1000, price="20.00")) <= four_batches


@pytest.mark.slow
def test_a_thousand_listings_in_one_call_are_created_then_repriced(api, alice, categories):
    """The call's limit, whole. How long it takes is measured by the bench (bench/volume.py), not here."""
    client = api(alice, "sell")
    client.get("/api/v1/sell/listings")
    body = [*items(500), *items(500, start=500, isbn="")]
    for n, item in enumerate(body[:500]):
        item["isbn"] = f"978{n:09d}"
        item["isbn"] += str((10 - sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(item["isbn"])) % 10) % 10)
    response = client.post(BULK, {"items": body})
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1000, response.json()["results"][:3]
    assert Book.objects.count() == 1000

    for n, item in enumerate(body):
        item["price"] = f"{13 + n / 100:.2f}"  # a price of its own each: the costly kind of update
    response = client.post(BULK, {"items": body})
    assert response.json()["updated"] == 1000
    prices = Listing.objects.filter(seller=alice).values_list("price", flat=True)
    assert sorted(prices) == sorted(Decimal(item["price"]) for item in body)


def test_a_price_too_long_to_hold_is_refused_with_the_range(api, alice, categories):
    response = api(alice, "sell").post(BULK, {"items": items(1, price="9" * 30)})
    assert response.status_code == 200, response.content
    [result] = response.json()["results"]
    assert result["errors"][0]["field"] == "price" and "Enter a price from" in result["errors"][0]["message"]
    assert not Listing.objects.filter(seller=alice).exists()
