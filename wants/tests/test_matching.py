from decimal import Decimal

import pytest

from catalog.models import Listing
from catalog.services.listings import pause_listing, resume_listing, update_listing
from shipping.models import Carrier, ShopShipping
from wants.models import Match, SavedSearch, Want
from wants.services import prepare_want, save_search
from wants.services.matching import ShippingPrices, match_listing
from wants.tests.conftest import ISBN, copy_data

pytestmark = pytest.mark.django_db


def test_the_issue_scenario(charlie_want, alice, bob, publish, django_capture_on_commit_callbacks):
    # Good at 5: below the minimum condition.
    publish(alice, condition=Listing.Condition.GOOD, price=Decimal("5.00"))
    assert not Match.objects.exists()

    # Very Good at 15 from a seller whose carriers take nothing to Colombia.
    settings = ShopShipping.objects.create(shop=bob.shop)
    settings.carriers.set(Carrier.objects.filter(code="USPSMM"))
    far = publish(bob, condition=Listing.Condition.VERY_GOOD, price=Decimal("15.00"))
    assert ShippingPrices(far).cheapest("CO") is None
    assert not Match.objects.exists()

    # Very Good at 15 from Colombia: 15 plus the cheapest national carrier is under 20.
    good = publish(alice, condition=Listing.Condition.VERY_GOOD, price=Decimal("15.00"))
    match = Match.objects.get()
    assert (match.user, match.listing, match.want) == (charlie_want.user, good, charlie_want)
    assert Decimal("15.00") < match.price <= Decimal("20.00")

    # Repricing it, pausing and resuming it: still the one match.
    with django_capture_on_commit_callbacks(execute=True):
        update_listing(good, copy_data(price=Decimal("14.00"), sku=good.sku))
    with django_capture_on_commit_callbacks(execute=True):
        pause_listing(good)
    with django_capture_on_commit_callbacks(execute=True):
        resume_listing(good)
    assert Match.objects.count() == 1


def test_price_with_shipping_over_the_maximum_does_not_match(charlie_want, alice, publish):
    publish(alice, price=Decimal("19.00"))  # 19 + shipping > 20
    assert not Match.objects.exists()


def test_repricing_into_the_budget_matches(charlie_want, alice, publish, django_capture_on_commit_callbacks):
    listing = publish(alice, price=Decimal("30.00"))
    assert not Match.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        update_listing(listing, copy_data(price=Decimal("12.00"), sku=listing.sku))
    assert Match.objects.filter(listing=listing).count() == 1


def test_language_binding_and_sold_out(charlie_want, alice, publish):
    charlie_want.binding = "hardcover"
    charlie_want.save()
    publish(alice)  # paperback
    assert not Match.objects.exists()
    charlie_want.binding, charlie_want.language = "", "es"
    charlie_want.save()
    listing = publish(alice)  # English
    assert not Match.objects.exists()
    charlie_want.language = ""
    charlie_want.save()
    Listing.objects.filter(pk=listing.pk).update(quantity=0)
    assert match_listing(listing.pk) == 0


def test_the_seller_is_not_told_of_their_own_listing(alice, carriers, publish):
    Want.objects.create(user=alice, isbn13=ISBN, country="CO")
    publish(alice)
    assert not Match.objects.exists()


def test_words_and_any_edition(charlie, alice, carriers, publish):
    by_words = Want(user=charlie, title="middlemarch", author="Éliot", country="CO")
    prepare_want(by_words)
    by_words.save()
    assert by_words.key_word == "middlemarch"
    other_isbn = "9780199536757"
    any_edition = Want(user=charlie, isbn13=other_isbn, any_edition=True, title="Middlemarch", author="George Eliot",
                       country="CO")  # fmt: skip
    prepare_want(any_edition)
    any_edition.save()
    this_edition = Want.objects.create(user=charlie, isbn13=other_isbn, country="CO")
    nothing = Want(user=charlie, title="Middlemarch Daniel Deronda", country="CO")
    prepare_want(nothing)
    nothing.save()

    listing = publish(alice)  # Middlemarch, George Eliot, another ISBN
    matched = set(Match.objects.filter(listing=listing).values_list("want_id", flat=True))
    assert matched == {by_words.pk, any_edition.pk}
    assert this_edition.pk not in matched


def test_paused_wants_do_not_match(charlie_want, alice, publish):
    charlie_want.paused = True
    charlie_want.save()
    publish(alice)
    assert not Match.objects.exists()


# Committed rows: MariaDB's full-text index (the saved search) sees no uncommitted row.
@pytest.mark.django_db(transaction=True)
def test_saved_search_matches_through_the_catalog_search(charlie, alice, carriers, publish):
    search = save_search(charlie, "q=eliot+middlemarch&condition=very_good", "eliot middlemarch")
    other = save_search(charlie, "q=middlemarch&condition=poor", "middlemarch")
    listing = publish(alice)
    assert list(Match.objects.values_list("saved_search_id", "listing_id")) == [(search.pk, listing.pk)]
    assert not SavedSearch.objects.get(pk=other.pk).matches.exists()


def test_matching_reads_only_candidate_wants(charlie_want, alice, publish, django_assert_max_num_queries):
    from conftest import UserFactory

    for n in range(30):
        Want.objects.create(user=UserFactory(), isbn13="", title=f"other{n}", words=f"other{n}",
                            key_word=f"other{n}", country="CO")  # fmt: skip
    listing = publish(alice, price=Decimal("50.00"))
    Listing.objects.filter(pk=listing.pk).update(price=Decimal("10.00"))
    with django_assert_max_num_queries(14):
        assert match_listing(listing.pk) == 1


def test_stock_back_from_zero_matches_new_wants(charlie, alice, carriers, publish, django_capture_on_commit_callbacks):
    from orders.models import OrderLine
    from orders.services.stock import return_stock

    listing = publish(alice)
    Listing.objects.filter(pk=listing.pk).update(quantity=0, units_sold=1)
    Want.objects.create(user=charlie, isbn13=ISBN, country="CO")
    line = OrderLine(listing=listing, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        return_stock([line])
    assert Match.objects.filter(user=charlie, listing=listing).count() == 1


def test_listings_imported_from_a_file_are_matched(charlie, alice, carriers, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.services.imports import check_upload, start_import
    from catalog.tests.import_files import csv_bytes, good_rows, isbn13

    Want.objects.create(user=charlie, isbn13=isbn13(0), country="CO")  # row 0: Very Good, 12.50, with stock
    run = check_upload(alice, SimpleUploadedFile("listings.csv", csv_bytes(good_rows(8))))
    with django_capture_on_commit_callbacks(execute=True):
        start_import(run)
    listing = Listing.objects.get(seller=alice, book__isbn13=isbn13(0))
    assert list(Match.objects.values_list("listing_id", flat=True)) == [listing.pk]


def test_a_bulk_price_change_into_the_budget_matches(charlie_want, alice, publish, django_capture_on_commit_callbacks):
    from catalog.services.bulk import BulkAction, Selection, apply_bulk_action

    listing = publish(alice, price=Decimal("30.00"))
    assert not Match.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        apply_bulk_action(alice, BulkAction.PRICE_PERCENT, Decimal("-60"), Selection.of_ids([listing.pk]))
    listing.refresh_from_db()
    assert listing.price == Decimal("12.00")
    assert list(Match.objects.values_list("listing_id", flat=True)) == [listing.pk]
