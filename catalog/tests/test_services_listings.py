"""The listing services: status machine, create (with book reuse), update, pause/resume, delete."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from catalog.models import Book, Listing, ListingPhoto
from catalog.services.listings import (
    create_listing,
    delete_listing,
    pause_listing,
    publish_listing,
    resume_listing,
    transition,
    update_listing,
)
from catalog.services.photos import photo_files
from catalog.states import IllegalTransition, ListingStateError
from conftest import BookFactory, CategoryFactory, ListingFactory, make_upload

Status = Listing.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return CategoryFactory(name="Fiction (test)", slug="fiction-test")


def book_data(category, **overrides):
    data = {
        "isbn13": None,
        "title": "Middlemarch",
        "authors": "George Eliot",
        "publisher": "",
        "year": 1871,
        "language": Book.Language.ENGLISH,
        "binding": Book.Binding.PAPERBACK,
        "category": category,
        "description": "",
    }
    return {**data, **overrides}


def copy_data(**overrides):
    data = {"condition": Listing.Condition.GOOD, "condition_notes": "", "price": Decimal("8.50"), "quantity": 2}
    return {**data, **overrides}


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- transition(): going live (test_states.py covers the status table) --------


def test_going_live_needs_stock():
    listing = Listing(status=Status.DRAFT, quantity=0)
    with pytest.raises(ValidationError) as info:
        transition(listing, Status.ACTIVE)
    assert "quantity" in info.value.message_dict
    assert listing.status == Status.DRAFT


def test_published_at_is_set_once_on_first_activation():
    listing = Listing(status=Status.DRAFT, quantity=1)
    transition(listing, Status.ACTIVE)
    first = listing.published_at
    assert first is not None
    transition(listing, Status.PAUSED)
    transition(listing, Status.ACTIVE)
    assert listing.published_at == first


# --- create_listing -----------------------------------------------------------


def test_create_draft_makes_a_book_and_a_draft(alice, category):
    listing = create_listing(alice, book_data(category), copy_data(), publish=False)
    listing.refresh_from_db()
    assert listing.status == Status.DRAFT and listing.published_at is None
    assert listing.seller == alice and listing.quantity == 2 and listing.price == Decimal("8.50")
    assert listing.book.title == "Middlemarch" and listing.book.isbn13 is None


def test_create_published_goes_live(alice, category):
    listing = create_listing(alice, book_data(category), copy_data(), publish=True)
    listing.refresh_from_db()
    assert listing.status == Status.ACTIVE and listing.published_at is not None


def test_publishing_without_stock_is_refused_and_saves_nothing(alice, category):
    with pytest.raises(ValidationError) as info:
        create_listing(alice, book_data(category), copy_data(quantity=0), publish=True)
    assert "quantity" in info.value.message_dict
    assert not Listing.objects.exists() and not Book.objects.filter(title="Middlemarch").exists()


def test_a_draft_may_have_no_stock(alice, category):
    listing = create_listing(alice, book_data(category), copy_data(quantity=0), publish=False)
    assert listing.quantity == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", Decimal("0")),
        ("price", Decimal("-1")),
        ("price", Decimal("100000")),
        ("price", 12.5),
        ("quantity", -3),
        ("quantity", 1000),
        ("quantity", 1.5),
        ("quantity", True),
    ],
)
def test_service_refuses_out_of_range_copy_data(alice, category, field, value):
    with pytest.raises(ValidationError) as info:
        create_listing(alice, book_data(category), copy_data(**{field: value}), publish=False)
    assert field in info.value.message_dict
    assert not Listing.objects.exists()


def test_a_user_without_a_shop_cannot_list(charlie, category):
    with pytest.raises(PermissionDenied):
        create_listing(charlie, book_data(category), copy_data(), publish=False)
    assert not Listing.objects.exists()


def test_a_new_book_needs_title_authors_and_category(alice, category):
    with pytest.raises(ValidationError) as info:
        create_listing(alice, {**book_data(category), "title": "", "category": None}, copy_data(), publish=False)
    assert set(info.value.message_dict) == {"title", "category"}


def test_known_isbn_reuses_the_book_without_overwriting_it(alice, bob, category):
    other = CategoryFactory(name="History (test)", slug="history-test")
    book = BookFactory(
        isbn13="9780141439549", title="Middlemarch", authors="George Eliot", publisher="", year=None, description=""
    )
    bob_copy = ListingFactory(seller=bob, book=book)
    listing = create_listing(
        alice,
        book_data(
            other,
            isbn13="9780141439549",
            title="Mid-march (typo)",
            authors="G. Eliot",
            publisher="Penguin Classics",
            year=2003,
            description="A study of provincial life.",
            binding=Book.Binding.HARDCOVER,
        ),
        copy_data(),
        publish=True,
    )
    assert listing.book_id == book.pk == bob_copy.book_id
    assert Book.objects.filter(isbn13="9780141439549").count() == 1
    category_before = book.category_id
    book.refresh_from_db()
    # Shared data stays as it was; only the empty fields are filled in.
    assert (book.title, book.authors, book.binding) == ("Middlemarch", "George Eliot", Book.Binding.PAPERBACK)
    assert book.category_id == category_before != other.pk
    assert (book.publisher, book.year, book.description) == ("Penguin Classics", 2003, "A study of provincial life.")


def test_known_isbn_keeps_filled_fields(alice):
    book = BookFactory(isbn13="9780141439549", publisher="Penguin", year=1994, description="Original text.")
    create_listing(
        alice,
        {"isbn13": "9780141439549", "publisher": "Other", "year": 2020, "description": "Mine."},
        copy_data(),
        publish=False,
    )
    book.refresh_from_db()
    assert (book.publisher, book.year, book.description) == ("Penguin", 1994, "Original text.")


def test_known_isbn_needs_no_book_fields(alice):
    book = BookFactory(isbn13="9780141439549")
    listing = create_listing(alice, {"isbn13": "9780141439549"}, copy_data(), publish=True)
    assert listing.book == book


def test_create_with_photos_sets_cover_in_order(alice, category, settings):
    uploads = [make_upload("a.jpg"), make_upload("b.png", "PNG")]
    listing = create_listing(alice, book_data(category), copy_data(), uploads, publish=True)
    photos = list(listing.photos.order_by("position"))
    assert [p.position for p in photos] == [0, 1]
    listing.refresh_from_db()
    assert listing.cover.name == photos[0].thumbnail.name
    # Two images, two thumbnails and their renditions.
    assert media_files(settings) == sorted(Path(settings.MEDIA_ROOT) / n for p in photos for n in photo_files(p))


def test_create_with_a_bad_photo_stores_nothing(alice, category, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploads = [make_upload("good.jpg"), SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", "image/jpeg")]
    with pytest.raises(ValidationError) as info:
        create_listing(alice, book_data(category), copy_data(), uploads, publish=True)
    assert "evil.jpg" in " ".join(info.value.message_dict["photos"])
    assert not Listing.objects.exists() and not ListingPhoto.objects.exists()
    assert media_files(settings) == []


def test_stored_files_are_removed_when_the_database_write_fails(alice, category, settings):
    # The forms never send None, but a caller that does makes the database itself refuse the row (NOT NULL).
    with pytest.raises(IntegrityError):
        create_listing(alice, book_data(category), copy_data(condition_notes=None), [make_upload()], publish=False)
    assert not Listing.objects.exists() and not ListingPhoto.objects.exists()
    assert media_files(settings) == []


# --- publish / pause / resume -------------------------------------------------


def test_publish_pause_resume_cycle(alice):
    listing = ListingFactory(seller=alice, status=Status.DRAFT, published_at=None)
    publish_listing(listing)
    assert Listing.objects.get(pk=listing.pk).status == Status.ACTIVE
    pause_listing(listing)
    assert Listing.objects.get(pk=listing.pk).status == Status.PAUSED
    resume_listing(listing)
    assert Listing.objects.get(pk=listing.pk).status == Status.ACTIVE


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (publish_listing, Status.PAUSED),  # resuming is not publishing
        (publish_listing, Status.ACTIVE),
        (pause_listing, Status.DRAFT),
        (pause_listing, Status.PAUSED),
        (pause_listing, Status.HIDDEN),
        (resume_listing, Status.DRAFT),  # a draft is published, not resumed
        (resume_listing, Status.HIDDEN),  # only staff unhide
        (resume_listing, Status.ARCHIVED),
    ],
)
def test_illegal_actions_raise_and_change_nothing(alice, action, status):
    listing = ListingFactory(seller=alice, status=status)
    with pytest.raises(IllegalTransition):
        action(listing)
    assert Listing.objects.get(pk=listing.pk).status == status


def test_resume_needs_stock(alice):
    listing = ListingFactory(seller=alice, status=Status.PAUSED, quantity=0)
    with pytest.raises(ValidationError):
        resume_listing(listing)
    assert Listing.objects.get(pk=listing.pk).status == Status.PAUSED


def test_resume_uses_the_stored_status_not_a_stale_copy(alice):
    listing = ListingFactory(seller=alice, status=Status.PAUSED)
    Listing.objects.filter(pk=listing.pk).update(status=Status.HIDDEN)  # staff hid it meanwhile
    with pytest.raises(IllegalTransition):
        resume_listing(listing)
    assert Listing.objects.get(pk=listing.pk).status == Status.HIDDEN


# --- update_listing -----------------------------------------------------------


def test_update_changes_copy_and_unshared_book(alice, category):
    listing = ListingFactory(seller=alice, book__title="Old", book__isbn13=None)
    update_listing(
        listing,
        copy_data(price=Decimal("20.00"), quantity=5),
        book_data(category, title="New title", isbn13="9780141439549"),
    )
    listing.refresh_from_db()
    assert listing.price == Decimal("20.00") and listing.quantity == 5
    assert listing.book.title == "New title" and listing.book.isbn13 == "9780141439549"


def test_update_refuses_book_changes_when_another_seller_lists_it(alice, bob, category):
    listing = ListingFactory(seller=alice, book__title="Shared")
    ListingFactory(seller=bob, book=listing.book)
    with pytest.raises(ValidationError):
        update_listing(listing, copy_data(price=Decimal("99.00")), book_data(category, title="Mine now"))
    listing.refresh_from_db()
    assert listing.book.title == "Shared" and listing.price == Decimal("12.50")


def test_update_refuses_an_isbn_of_another_book(alice, category):
    BookFactory(isbn13="9780141439549")
    listing = ListingFactory(seller=alice, book__isbn13=None)
    with pytest.raises(ValidationError) as info:
        update_listing(listing, copy_data(), book_data(category, isbn13="9780141439549"))
    assert "isbn" in info.value.message_dict


def test_update_can_publish_a_draft_only(alice):
    draft = ListingFactory(seller=alice, status=Status.DRAFT, published_at=None)
    update_listing(draft, copy_data(), publish=True)
    assert Listing.objects.get(pk=draft.pk).status == Status.ACTIVE
    paused = ListingFactory(seller=alice, status=Status.PAUSED)
    with pytest.raises(IllegalTransition):
        update_listing(paused, copy_data(), publish=True)


def test_hidden_listing_can_be_edited_and_stays_hidden(alice):
    listing = ListingFactory(seller=alice, status=Status.HIDDEN)
    update_listing(listing, copy_data(condition_notes="Now described honestly."))
    listing.refresh_from_db()
    assert listing.status == Status.HIDDEN and listing.condition_notes == "Now described honestly."


def test_archived_listing_is_read_only(alice):
    listing = ListingFactory(seller=alice, status=Status.ARCHIVED)
    with pytest.raises(ListingStateError):
        update_listing(listing, copy_data(price=Decimal("1.00")))
    assert Listing.objects.get(pk=listing.pk).price == Decimal("12.50")


# --- delete_listing -----------------------------------------------------------


def test_delete_removes_an_unsold_listing_and_its_files_after_commit(
    alice, settings, django_capture_on_commit_callbacks
):
    from catalog.services.photos import add_photos

    listing = ListingFactory(seller=alice)
    add_photos(listing, [make_upload()])
    stored = len(media_files(settings))
    assert stored > 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert delete_listing(listing) is True
    assert not Listing.objects.filter(pk=listing.pk).exists()
    assert len(media_files(settings)) == stored, "files must outlive a transaction that could still roll back"
    for callback in callbacks:
        callback()
    assert media_files(settings) == []


def test_delete_archives_a_listing_that_sold(alice):
    listing = ListingFactory(seller=alice)
    Listing.objects.filter(pk=listing.pk).update(units_sold=2)
    assert delete_listing(listing) is False
    listing.refresh_from_db()
    assert listing.status == Status.ARCHIVED and listing.units_sold == 2


def test_delete_archives_a_hidden_listing_so_staff_keep_its_record(alice):
    listing = ListingFactory(seller=alice, status=Status.HIDDEN)
    assert delete_listing(listing) is False
    assert Listing.objects.get(pk=listing.pk).status == Status.ARCHIVED


def test_deleting_an_archived_listing_raises(alice):
    listing = ListingFactory(seller=alice, status=Status.ARCHIVED)
    with pytest.raises(IllegalTransition):
        delete_listing(listing)
    assert Listing.objects.filter(pk=listing.pk).exists()


def test_delete_keeps_published_at(alice):
    when = timezone.now()
    listing = ListingFactory(seller=alice, published_at=when)
    Listing.objects.filter(pk=listing.pk).update(units_sold=1)
    delete_listing(listing)
    assert Listing.objects.get(pk=listing.pk).published_at == when
