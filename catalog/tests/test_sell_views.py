"""The seller's pages under /sell/: personas, inventory, new listing, ISBN prefill, edit, quick actions."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Book, Listing, ListingPhoto
from catalog.services.photos import add_photos
from conftest import BookFactory, CategoryFactory, ListingFactory, make_upload

Status = Listing.Status
pytestmark = pytest.mark.django_db

ISBN13 = "9780141439549"  # Middlemarch, Penguin Classics
ISBN10 = "0-14-143954-8"  # the same book as ISBN-10, with hyphens


@pytest.fixture
def category():
    return CategoryFactory(name="Fiction (test)", slug="fiction-test")


def new_listing_data(category_, **overrides):
    data = {
        "isbn": "",
        "title": "Middlemarch",
        "authors": "George Eliot",
        "publisher": "Penguin",
        "year": "1871",
        "language": "en",
        "binding": "paperback",
        "category": str(category_.pk),
        "description": "A study of provincial life.",
        "condition": "good",
        "condition_notes": "Pencil notes on page 3.",
        "price": "8.50",
        "quantity": "2",
        "action": "publish",
    }
    return {**data, **overrides}


def edit_data(listing, **overrides):
    book = listing.book
    data = {
        "isbn": book.isbn13 or "",
        "title": book.title,
        "authors": book.authors,
        "publisher": book.publisher,
        "year": book.year or "",
        "language": book.language,
        "binding": book.binding,
        "category": book.category_id,
        "description": book.description,
        "condition": listing.condition,
        "condition_notes": listing.condition_notes,
        "price": str(listing.price),
        "quantity": str(listing.quantity),
        "action": "save",
    }
    return {**data, **overrides}


def snapshot(listing):
    listing = Listing.objects.select_related("book").get(pk=listing.pk)
    return (listing.status, listing.price, listing.quantity, listing.condition_notes, listing.book.title)


# --- Personas on every listing URL ---------------------------------------------

LISTING_URLS = [
    ("listing_edit", "get"),
    ("listing_edit", "post"),
    ("listing_photos", "get"),
    ("listing_photos", "post"),
    ("listing_publish", "post"),
    ("listing_pause", "post"),
    ("listing_resume", "post"),
    ("listing_delete", "post"),
]
POST_ONLY = ["listing_publish", "listing_pause", "listing_resume", "listing_delete"]


def call(client, name, method, listing):
    url = reverse(f"sell:{name}", args=[listing.pk])
    if method == "get":
        return client.get(url)
    payload = {
        "listing_edit": edit_data(listing, title="Hijacked", price="1.00"),
        "listing_photos": {"photos": [make_upload()]},
        "listing_delete": {"confirm": "yes"},
    }.get(name, {})
    return client.post(url, payload)


@pytest.mark.parametrize(("name", "method"), LISTING_URLS)
def test_another_seller_gets_404_and_nothing_changes(client_for, bob, alice_listing, name, method):
    before = snapshot(alice_listing)
    response = call(client_for(bob), name, method, alice_listing)
    assert response.status_code == 404
    assert snapshot(alice_listing) == before
    assert not ListingPhoto.objects.exists()


@pytest.mark.parametrize(("name", "method"), LISTING_URLS)
def test_anonymous_is_sent_to_login(client, alice_listing, name, method):
    before = snapshot(alice_listing)
    response = call(client, name, method, alice_listing)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")
    assert snapshot(alice_listing) == before


@pytest.mark.parametrize("name", ["inventory", "listing_create", "isbn_lookup"])
def test_anonymous_is_sent_to_login_from_every_page(client, name):
    response = client.get(reverse(f"sell:{name}"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["inventory", "listing_create", "isbn_lookup"])
def test_a_user_without_a_shop_is_sent_to_set_one_up(client_for, charlie, name):
    response = client_for(charlie).get(reverse(f"sell:{name}"), follow=True)
    assert response.redirect_chain == [(reverse("accounts:shop_edit"), 302)]
    assert "Set up your shop first" in response.content.decode()


def test_a_user_without_a_shop_cannot_act_on_a_listing(client_for, charlie, alice_listing):
    before = snapshot(alice_listing)
    response = client_for(charlie).post(reverse("sell:listing_pause", args=[alice_listing.pk]))
    assert response.status_code == 302 and response.url == reverse("accounts:shop_edit")
    assert snapshot(alice_listing) == before


def test_a_user_without_a_shop_cannot_create(client_for, charlie, category):
    response = client_for(charlie).post(reverse("sell:listing_create"), new_listing_data(category))
    assert response.status_code == 302 and response.url == reverse("accounts:shop_edit")
    assert not Listing.objects.exists()


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_post_only_endpoints_is_405(client_for, alice, alice_listing, name):
    before = snapshot(alice_listing)
    assert client_for(alice).get(reverse(f"sell:{name}", args=[alice_listing.pk])).status_code == 405
    assert snapshot(alice_listing) == before


def test_unknown_listing_id_is_404(client_for, alice):
    assert client_for(alice).get(reverse("sell:listing_edit", args=[999999])).status_code == 404


# --- Inventory ----------------------------------------------------------------


def test_inventory_shows_only_my_listings_with_their_figures(client_for, alice, alice_listing, bob_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(units_sold=4)
    response = client_for(alice).get(reverse("sell:inventory"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The Name of the Rose" in html and "Umberto Eco" in html and "$12.50" in html
    assert "Dune" not in html
    assert '<td class="text-end" data-label="Sold">4</td>' in html  # units sold
    assert reverse("sell:listing_edit", args=[alice_listing.pk]) in html
    assert reverse("sell:listing_pause", args=[alice_listing.pk]) in html


def test_inventory_summary_counts_stock(client_for, alice):
    ListingFactory(seller=alice, quantity=3)
    ListingFactory(seller=alice, quantity=0)
    ListingFactory(seller=alice, status=Status.PAUSED, quantity=2)
    ListingFactory(seller=alice, status=Status.ARCHIVED, quantity=7)
    ListingFactory(quantity=50)  # someone else's
    summary = client_for(alice).get(reverse("sell:inventory")).context["summary"]
    assert summary["active"] == 2
    assert summary["out_of_stock"] == 1
    assert summary["copies"] == 5
    assert summary["all"] == 3 and summary["archived"] == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("", {"active", "paused", "draft", "hidden"}),
        ("all", {"active", "paused", "draft", "hidden"}),
        ("active", {"active"}),
        ("paused", {"paused"}),
        ("draft", {"draft"}),
        ("hidden", {"hidden"}),
        ("archived", {"archived"}),
    ],
)
def test_status_tabs_filter(client_for, alice, status, expected):
    for value in Status.values:
        ListingFactory(seller=alice, status=value, book__title=f"Book {value}")
    response = client_for(alice).get(reverse("sell:inventory"), {"status": status})
    assert response.status_code == 200
    assert {listing.status for listing in response.context["page"].object_list} == expected


def test_unknown_status_tab_is_a_400_with_a_message(client_for, alice, alice_listing):
    response = client_for(alice).get(reverse("sell:inventory"), {"status": "sold'--"})
    assert response.status_code == 400
    assert "status filter does not exist" in response.content.decode()
    assert list(response.context["page"].object_list) == [alice_listing]


def test_inventory_is_paginated(client_for, alice):
    ListingFactory.create_batch(27, seller=alice)
    client = client_for(alice)
    first = client.get(reverse("sell:inventory"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("sell:inventory"), {"page": "2"})
    assert len(second.context["page"].object_list) == 2
    assert client.get(reverse("sell:inventory"), {"page": "nonsense"}).status_code == 200


def test_inventory_offers_actions_by_status(client_for, alice):
    draft = ListingFactory(seller=alice, status=Status.DRAFT)
    paused = ListingFactory(seller=alice, status=Status.PAUSED)
    archived = ListingFactory(seller=alice, status=Status.ARCHIVED)
    client = client_for(alice)
    html = client.get(reverse("sell:inventory")).content.decode()
    assert reverse("sell:listing_publish", args=[draft.pk]) in html
    assert reverse("sell:listing_resume", args=[paused.pk]) in html
    assert reverse("sell:listing_pause", args=[paused.pk]) not in html
    archived_html = client.get(reverse("sell:inventory"), {"status": "archived"}).content.decode()
    assert reverse("sell:listing_edit", args=[archived.pk]) not in archived_html
    assert reverse("sell:listing_delete", args=[archived.pk]) not in archived_html


def test_inventory_shows_the_cover_thumbnail(client_for, alice, alice_listing):
    [photo] = add_photos(alice_listing, [make_upload()])
    html = client_for(alice).get(reverse("sell:inventory")).content.decode()
    assert photo.thumbnail.url in html


def test_inventory_query_count_does_not_grow_with_listings(
    client_for, alice, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):  # each change committed, as on the site
        ListingFactory.create_batch(3, seller=alice)
    client.get(reverse("sell:inventory"))
    with django_assert_max_num_queries(9):
        client.get(reverse("sell:inventory"))
    with django_capture_on_commit_callbacks(execute=True):  # the shop's stock figures are renewed
        ListingFactory.create_batch(22, seller=alice)
    for listing in Listing.objects.filter(seller=alice)[:5]:
        add_photos(listing, [make_upload()])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("sell:inventory"))
    assert len(response.context["page"].object_list) == 25


# --- New listing ----------------------------------------------------------------


def test_create_page_renders(client_for, alice, category):
    response = client_for(alice).get(reverse("sell:listing_create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="photos"' in html and "multiple" in html and 'enctype="multipart/form-data"' in html
    assert 'value="publish"' in html and 'value="draft"' in html
    assert "its details are shared by every seller and are not changed" in html
    assert reverse("sell:isbn_lookup") in html and "js/sell.js" in html


def test_publish_a_new_listing(client_for, alice, category):
    response = client_for(alice).post(reverse("sell:listing_create"), new_listing_data(category))
    assert response.status_code == 302 and response.url == reverse("sell:inventory")
    listing = Listing.objects.get(seller=alice)
    assert listing.status == Status.ACTIVE and listing.published_at is not None
    assert (listing.price, listing.quantity, listing.condition) == (Decimal("8.50"), 2, "good")
    assert listing.book.title == "Middlemarch" and listing.book.category == category


def test_save_a_new_listing_as_draft(client_for, alice, category):
    response = client_for(alice).post(reverse("sell:listing_create"), new_listing_data(category, action="draft"))
    assert response.status_code == 302
    listing = Listing.objects.get(seller=alice)
    assert listing.status == Status.DRAFT and listing.published_at is None


def test_create_with_photos(client_for, alice, category):
    data = new_listing_data(category, photos=[make_upload("front.jpg"), make_upload("back.png", "PNG")])
    assert client_for(alice).post(reverse("sell:listing_create"), data).status_code == 302
    listing = Listing.objects.get(seller=alice)
    assert listing.photos.count() == 2 and listing.cover.name == listing.photos.first().thumbnail.name


def test_isbn10_with_hyphens_is_stored_as_isbn13(client_for, alice, category):
    client_for(alice).post(reverse("sell:listing_create"), new_listing_data(category, isbn=ISBN10))
    assert Listing.objects.get(seller=alice).book.isbn13 == ISBN13


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "-1", "greater than or equal to 0.01"),
        ("price", "abc", "Enter a number"),
        ("price", "0", "greater than or equal to 0.01"),
        ("price", "100000", "less than or equal to 99999.99"),
        ("price", "1.999", "decimal place"),
        ("quantity", "-3", "greater than or equal to 0"),
        ("quantity", "100000", "less than or equal to 999"),
        ("quantity", "1.5", "Enter a whole number"),
        ("isbn", "978-0-14-143954-0", "check digit is wrong"),
        ("isbn", "hello", "valid ISBN"),
        ("category", "999999", "Select a valid choice"),
        ("condition", "mint", "Select a valid choice"),
        ("year", "3000", "less than or equal to 2100"),
        ("title", "", "This field is required"),
    ],
)
def test_tampered_input_is_a_form_error_and_saves_nothing(client_for, alice, category, field, value, message):
    books_before = Book.objects.count()
    response = client_for(alice).post(reverse("sell:listing_create"), new_listing_data(category, **{field: value}))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not Listing.objects.exists() and Book.objects.count() == books_before


def test_form_errors_keep_what_the_seller_typed(client_for, alice, category):
    data = new_listing_data(category, price="abc", condition_notes="Signed by the author.")
    html = client_for(alice).post(reverse("sell:listing_create"), data).content.decode()
    assert 'value="Middlemarch"' in html and "Signed by the author." in html and 'value="abc"' in html


def test_publish_without_stock_is_a_form_error(client_for, alice, category):
    response = client_for(alice).post(reverse("sell:listing_create"), new_listing_data(category, quantity="0"))
    assert response.status_code == 400
    assert "quantity" in response.context["form"].errors
    assert not Listing.objects.exists()


def test_a_bad_photo_keeps_the_other_fields_and_stores_nothing(client_for, alice, category, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("scan.jpg", b"definitely text", content_type="image/jpeg")
    data = new_listing_data(category, photos=[make_upload("ok.jpg"), bad], condition_notes="Foxing on edges.")
    response = client_for(alice).post(reverse("sell:listing_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_photos_errors"' in html and "scan.jpg: This file is not a photo we can read" in html
    assert 'value="Middlemarch"' in html and "Foxing on edges." in html and 'value="8.50"' in html
    assert not Listing.objects.exists() and not ListingPhoto.objects.exists()
    assert not (settings.MEDIA_ROOT / "listings").exists() or not any((settings.MEDIA_ROOT / "listings").iterdir())


def test_six_photos_on_create_are_refused(client_for, alice, category):
    data = new_listing_data(category, photos=[make_upload(f"{n}.jpg") for n in range(6)])
    response = client_for(alice).post(reverse("sell:listing_create"), data)
    assert response.status_code == 400
    assert "at most 5 photos" in " ".join(response.context["form"].errors["photos"])
    assert not Listing.objects.exists()


def test_existing_isbn_reuses_the_book(client_for, alice, bob, category):
    book = BookFactory(isbn13=ISBN13, title="Middlemarch", authors="George Eliot", publisher="")
    ListingFactory(seller=bob, book=book)
    # The book fields may be left empty: the catalog's book is used as it is.
    data = new_listing_data(category, isbn=ISBN10, title="", authors="", category="", publisher="Penguin")
    response = client_for(alice).post(reverse("sell:listing_create"), data)
    assert response.status_code == 302
    listing = Listing.objects.get(seller=alice)
    assert listing.book == book
    book.refresh_from_db()
    assert book.title == "Middlemarch" and book.publisher == "Penguin"  # empty field filled, the rest kept
    assert Book.objects.filter(isbn13=ISBN13).count() == 1


def test_existing_isbn_does_not_overwrite_shared_data(client_for, alice, bob, category):
    book = BookFactory(isbn13=ISBN13, title="Middlemarch", authors="George Eliot")
    ListingFactory(seller=bob, book=book)
    data = new_listing_data(category, isbn=ISBN13, title="Vandalised", authors="Nobody")
    assert client_for(alice).post(reverse("sell:listing_create"), data).status_code == 302
    book.refresh_from_db()
    assert (book.title, book.authors) == ("Middlemarch", "George Eliot")


# --- ISBN prefill -----------------------------------------------------------------


def test_prefill_through_a_get_lookup(client_for, alice):
    book = BookFactory(isbn13=ISBN13, title="Middlemarch", authors="George Eliot", publisher="Penguin", year=1994)
    response = client_for(alice).get(
        reverse("sell:listing_create"), {"isbn": ISBN10, "price": "7.25", "condition_notes": "Clean copy."}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Middlemarch"' in html and 'value="George Eliot"' in html and 'value="1994"' in html
    assert f'<option value="{book.category_id}" selected>' in html
    assert "Found in our catalog" in html
    assert 'value="7.25"' in html and "Clean copy." in html  # what the seller had typed stays


def test_get_lookup_of_an_unknown_isbn(client_for, alice):
    response = client_for(alice).get(reverse("sell:listing_create"), {"isbn": ISBN13, "title": "My title"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "not in our catalog yet" in html and 'value="My title"' in html


def test_get_lookup_of_an_invalid_isbn(client_for, alice):
    response = client_for(alice).get(reverse("sell:listing_create"), {"isbn": "978-0-14-143954-0"})
    assert response.status_code == 400
    assert "check digit is wrong" in response.content.decode()


def test_json_lookup_finds_a_known_book(client_for, alice):
    book = BookFactory(isbn13=ISBN13, title="Middlemarch", authors="George Eliot", year=1994)
    response = client_for(alice).get(reverse("sell:isbn_lookup"), {"isbn": ISBN10})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["found"] is True and data["isbn13"] == ISBN13
    assert data["book"]["title"] == "Middlemarch" and data["book"]["year"] == 1994
    assert data["book"]["category"] == book.category_id


def test_json_lookup_of_an_unknown_book(client_for, alice):
    data = client_for(alice).get(reverse("sell:isbn_lookup"), {"isbn": ISBN13}).json()
    assert data["found"] is False and "book" not in data


@pytest.mark.parametrize("value", ["978-0-14-143954-0", "abc", ""])
def test_json_lookup_of_an_invalid_isbn_is_400(client_for, alice, value):
    response = client_for(alice).get(reverse("sell:isbn_lookup"), {"isbn": value})
    assert response.status_code == 400
    assert response.json()["found"] is False and response.json()["error"]


# --- Edit -------------------------------------------------------------------------


def test_owner_edits_copy_and_book(client_for, alice, alice_listing):
    data = edit_data(alice_listing, title="Il nome della rosa", price="15.00", quantity="4")
    response = client_for(alice).post(reverse("sell:listing_edit", args=[alice_listing.pk]), data)
    assert response.status_code == 302
    alice_listing.refresh_from_db()
    assert alice_listing.price == Decimal("15.00") and alice_listing.quantity == 4
    assert alice_listing.book.title == "Il nome della rosa"


def test_shared_book_fields_are_read_only(client_for, alice, bob, alice_listing):
    ListingFactory(seller=bob, book=alice_listing.book)
    client = client_for(alice)
    url = reverse("sell:listing_edit", args=[alice_listing.pk])
    html = client.get(url).content.decode()
    assert "shown read-only" in html
    assert 'name="title"' in html and "disabled" in html.split('name="title"', 1)[1].split(">", 1)[0]
    response = client.post(url, edit_data(alice_listing, title="Tampered", price="20.00"))
    assert response.status_code == 302
    alice_listing.refresh_from_db()
    assert alice_listing.book.title == "The Name of the Rose" and alice_listing.price == Decimal("20.00")


def test_edit_with_bad_input_changes_nothing(client_for, alice, alice_listing):
    before = snapshot(alice_listing)
    url = reverse("sell:listing_edit", args=[alice_listing.pk])
    response = client_for(alice).post(url, edit_data(alice_listing, price="-1", title="Changed"))
    assert response.status_code == 400 and "price" in response.context["form"].errors
    assert snapshot(alice_listing) == before


def test_edit_to_an_isbn_of_another_book_is_a_form_error(client_for, alice, alice_listing):
    BookFactory(isbn13=ISBN13)
    url = reverse("sell:listing_edit", args=[alice_listing.pk])
    response = client_for(alice).post(url, edit_data(alice_listing, isbn=ISBN13))
    assert response.status_code == 400
    assert "Another book in the catalog has this ISBN" in " ".join(response.context["form"].errors["isbn"])


def test_edit_publishes_a_draft(client_for, alice):
    draft = ListingFactory(seller=alice, status=Status.DRAFT, published_at=None)
    url = reverse("sell:listing_edit", args=[draft.pk])
    assert 'value="publish"' in client_for(alice).get(url).content.decode()
    client_for(alice).post(url, edit_data(draft, action="publish"))
    assert Listing.objects.get(pk=draft.pk).status == Status.ACTIVE


def test_hidden_listing_can_be_edited_and_shows_the_reason(client_for, alice):
    listing = ListingFactory(seller=alice, status=Status.HIDDEN, hidden_reason="Photos of another book.")
    client = client_for(alice)
    url = reverse("sell:listing_edit", args=[listing.pk])
    assert "Photos of another book." in client.get(url).content.decode()
    assert client.post(url, edit_data(listing, condition_notes="Fixed.")).status_code == 302
    listing.refresh_from_db()
    assert listing.condition_notes == "Fixed." and listing.status == Status.HIDDEN


def test_archived_listing_edit_page_is_read_only(client_for, alice):
    listing = ListingFactory(seller=alice, status=Status.ARCHIVED)
    client = client_for(alice)
    url = reverse("sell:listing_edit", args=[listing.pk])
    html = client.get(url).content.decode()
    assert "can no longer be changed" in html and 'value="save"' not in html
    before = snapshot(listing)
    response = client.post(url, edit_data(listing, price="1.00"), follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert snapshot(listing) == before


def test_edit_page_query_budget(client_for, alice, alice_listing, django_assert_max_num_queries):
    client = client_for(alice)
    url = reverse("sell:listing_edit", args=[alice_listing.pk])
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


# --- Quick actions ------------------------------------------------------------------


def test_pause_and_resume(client_for, alice, alice_listing):
    client = client_for(alice)
    response = client.post(reverse("sell:listing_pause", args=[alice_listing.pk]))
    assert response.status_code == 302 and response.url == reverse("sell:inventory")
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.PAUSED
    client.post(reverse("sell:listing_resume", args=[alice_listing.pk]))
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE


def test_action_returns_to_the_tab_it_came_from(client_for, alice, alice_listing):
    back = reverse("sell:inventory") + "?status=active&page=1"
    response = client_for(alice).post(reverse("sell:listing_pause", args=[alice_listing.pk]), {"next": back})
    assert response.url == back


def test_action_refuses_an_outside_next(client_for, alice, alice_listing):
    url = reverse("sell:listing_pause", args=[alice_listing.pk])
    response = client_for(alice).post(url, {"next": "https://evil.example/phish"})
    assert response.url == reverse("sell:inventory")


def test_hidden_listing_cannot_be_resumed(client_for, alice):
    listing = ListingFactory(seller=alice, status=Status.HIDDEN)
    response = client_for(alice).post(reverse("sell:listing_resume", args=[listing.pk]), follow=True)
    assert "cannot become" in response.content.decode()
    assert Listing.objects.get(pk=listing.pk).status == Status.HIDDEN


def test_resume_without_stock_explains_why(client_for, alice):
    listing = ListingFactory(seller=alice, status=Status.PAUSED, quantity=0)
    response = client_for(alice).post(reverse("sell:listing_resume", args=[listing.pk]), follow=True)
    assert "at least one copy" in response.content.decode()
    assert Listing.objects.get(pk=listing.pk).status == Status.PAUSED


def test_publish_a_draft_from_the_inventory(client_for, alice):
    draft = ListingFactory(seller=alice, status=Status.DRAFT, published_at=None)
    client_for(alice).post(reverse("sell:listing_publish", args=[draft.pk]))
    assert Listing.objects.get(pk=draft.pk).status == Status.ACTIVE


def test_delete_asks_for_confirmation_first(client_for, alice, alice_listing):
    response = client_for(alice).post(reverse("sell:listing_delete", args=[alice_listing.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete “The Name of the Rose”?" in html and 'name="confirm" value="yes"' in html
    assert Listing.objects.filter(pk=alice_listing.pk).exists()


def test_confirmed_delete_removes_the_listing(client_for, alice, alice_listing):
    response = client_for(alice).post(reverse("sell:listing_delete", args=[alice_listing.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    assert not Listing.objects.filter(pk=alice_listing.pk).exists()


def test_deleting_a_sold_listing_archives_it(client_for, alice, alice_listing):
    Listing.objects.filter(pk=alice_listing.pk).update(units_sold=1)
    client = client_for(alice)
    html = client.post(reverse("sell:listing_delete", args=[alice_listing.pk])).content.decode()
    assert "archived instead" in html
    response = client.post(reverse("sell:listing_delete", args=[alice_listing.pk]), {"confirm": "yes"}, follow=True)
    assert "archived rather than deleted" in response.content.decode()
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ARCHIVED


def test_deleting_an_archived_listing_is_refused(client_for, alice):
    listing = ListingFactory(seller=alice, status=Status.ARCHIVED)
    response = client_for(alice).post(
        reverse("sell:listing_delete", args=[listing.pk]), {"confirm": "yes"}, follow=True
    )
    assert "cannot become" in response.content.decode()
    assert Listing.objects.filter(pk=listing.pk, status=Status.ARCHIVED).exists()


@pytest.mark.parametrize(
    ("status", "badge"),
    [
        (Status.ACTIVE, '<span class="badge text-bg-success">Active</span>'),
        (Status.PAUSED, '<span class="badge text-bg-warning">Paused</span>'),
        (Status.DRAFT, '<span class="badge text-bg-secondary">Draft</span>'),
        (Status.HIDDEN, '<span class="badge text-bg-danger">Hidden by staff</span>'),
        (Status.ARCHIVED, '<span class="badge text-bg-light border">Archived</span>'),
    ],
)
def test_each_status_has_its_badge_on_the_inventory_and_the_listing_form(client_for, alice, status, badge):
    listing = ListingFactory(seller=alice, status=status)
    client = client_for(alice)
    assert badge in client.get(reverse("sell:inventory"), {"status": status}).content.decode()
    if status != Status.ARCHIVED:  # an archived listing has no form
        assert badge in client.get(reverse("sell:listing_edit", args=[listing.pk])).content.decode()
