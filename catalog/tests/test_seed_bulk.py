from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum import isbn

from accounts.models import SHOP_COUNTRIES, Shop, User
from catalog.management.seeding import DEMO_PASSWORD
from catalog.models import Book, Listing
from conftest import CategoryFactory, mysql_only

pytestmark = pytest.mark.django_db


def seed_bulk(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_bulk", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_seed_bulk_loads_active_listings_with_shared_covers_and_valid_isbns():
    out, err = seed_bulk("--listings", "500", "--batch", "200")

    assert "500 active listings" in out
    assert "listings        500/500" in err  # the progress line

    listings = Listing.objects.all()
    assert listings.count() == 500
    assert set(listings.values_list("status", flat=True)) == {Listing.Status.ACTIVE}
    assert not listings.filter(cover="").exists()
    assert not listings.filter(published_at__isnull=True).exists()
    assert listings.dates("published_at", "month").count() > 6  # spread over time, not one instant
    assert len(set(listings.values_list("condition", flat=True))) > 3

    covers = set(listings.values_list("cover", flat=True))
    assert 1 < len(covers) <= 40
    assert all(default_storage.exists(name) for name in covers)

    books = list(Book.objects.values_list("isbn13", "title", "authors", "description"))
    assert len(books) == 100  # listings / 5
    assert all(isbn.is_valid(number) and len(number) == 13 for number, *_ in books)
    assert all(title and authors and len(description) > 40 for _, title, authors, description in books)

    sellers = User.objects.filter(listings__isnull=False).distinct()
    assert sellers.count() <= 10 and Shop.objects.count() == 10  # listings / 50
    assert set(Shop.objects.values_list("country", flat=True)) <= set(SHOP_COUNTRIES)  # carriers serve them all
    assert sellers.first().check_password(DEMO_PASSWORD)
    confirmed = EmailAddress.objects.filter(verified=True, primary=True).values_list("user__email", "email")
    assert sorted(confirmed) == sorted((email, email) for email in Shop.objects.values_list("owner__email", flat=True))


def test_seed_bulk_runs_again_without_collisions_and_seed_makes_it_reproducible():
    args = ("--listings", "40", "--books", "8", "--sellers", "2", "--seed", "42", "-v", "0")
    seed_bulk(*args)
    first_titles = list(Book.objects.order_by("isbn13").values_list("title", flat=True))

    seed_bulk(*args)
    assert Listing.objects.count() == 80
    assert Book.objects.count() == 16 and User.objects.count() == 4 and Shop.objects.count() == 4
    assert len(set(Book.objects.values_list("isbn13", flat=True))) == 16
    second_titles = list(Book.objects.order_by("isbn13").values_list("title", flat=True))[8:]
    assert second_titles == first_titles


@pytest.mark.parametrize("option", ["--listings", "--books", "--sellers", "--batch"])
def test_seed_bulk_refuses_counts_below_one(option):
    with pytest.raises(CommandError, match="must be positive"):
        seed_bulk(option, "0")
    assert not Listing.objects.exists()


@mysql_only
@pytest.mark.django_db(transaction=True)
def test_mysql_seed_bulk_refreshes_the_optimizers_statistics_of_what_it_loaded():
    CategoryFactory()  # a transactional test before this one may have flushed the migrations' shelves
    with CaptureQueriesContext(connection) as queries:
        seed_bulk("--listings", "20", "--books", "4", "--sellers", "2", "-v", "0")
    analyzed = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("ANALYZE TABLE")]
    assert len(analyzed) == 1
    assert all(table in analyzed[0] for table in ("catalog_listing", "catalog_book", "catalog_bookstats"))


def test_seed_bulk_inside_a_transaction_leaves_the_statistics_alone():
    # ANALYZE TABLE would commit the caller's transaction on MariaDB/MySQL.
    with CaptureQueriesContext(connection) as queries:
        seed_bulk("--listings", "20", "--books", "4", "--sellers", "2", "-v", "0")
    assert not [query for query in queries.captured_queries if query["sql"].startswith("ANALYZE")]
