import io
import re
from decimal import Decimal as D
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from PIL import Image
from stdnum import isbn

from accounts.models import Shop, User
from catalog.models import Book, Category, Listing, ListingPhoto
from shipping.models import ShopShipping

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = (User, Shop, Book, Listing, ListingPhoto, apps.get_model("orders", "Address"))
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_builds_a_shop_to_click_through_and_a_second_run_adds_nothing(client):
    output = seed_demo()

    printed_emails = re.findall(r"^\s+(?:buyer|seller|staff)\s+(\S+@\S+)", output, flags=re.MULTILINE)
    assert sorted(printed_emails) == sorted(User.objects.values_list("email", flat=True))
    assert len(printed_emails) == 6
    staff = User.objects.get(is_staff=True)
    assert staff.is_superuser and not hasattr(staff, "shop")
    assert Shop.objects.count() == 2
    assert set(Shop.objects.values_list("country", flat=True)) == {"CO", "US"}
    buyers = User.objects.filter(is_staff=False, shop__isnull=True)
    assert buyers.count() == 3
    # One address each, within each shop's country and across borders (catalog tests may read orders' tables).
    assert sorted(buyers.values_list("addresses__country", flat=True)) == ["CO", "MX", "US"]

    assert 110 <= Book.objects.count() <= 130
    assert all(isbn.is_valid(number) and len(number) == 13 for number in Book.objects.values_list("isbn13", flat=True))
    assert Book.objects.values("category").distinct().count() >= 15
    assert Book.objects.values("language").distinct().count() >= 4
    # Spanish visitors see the demo's shelves in Spanish (migration 0006 names them).
    assert not Category.objects.filter(books__isnull=False).filter(Q(name_es__isnull=True) | Q(name_es="")).exists()

    listings = Listing.objects.all()
    assert 180 <= listings.count() <= 230
    assert listings.filter(status=Listing.Status.ACTIVE).count() >= 0.9 * listings.count()
    assert set(listings.values_list("condition", flat=True)) == set(Listing.Condition.values)
    assert listings.values("price").distinct().count() > 20
    assert listings.values("quantity").distinct().count() > 1
    assert set(listings.values_list("seller__shop__country", flat=True)) == {"CO", "US"}

    # Every listing has one photo, stored through the storage API, and its cover is that photo's thumbnail.
    assert ListingPhoto.objects.count() == listings.count()
    for listing in listings.prefetch_related("photos"):
        (photo,) = listing.photos.all()
        assert listing.cover.name == photo.thumbnail.name
        assert default_storage.exists(photo.image.name) and default_storage.exists(photo.thumbnail.name)
    with default_storage.open(listings.first().cover.name) as thumbnail:
        image = Image.open(io.BytesIO(thumbnail.read()))
        assert (image.format, image.size) == ("JPEG", (360, 480))

    # Every demo address is confirmed, as signing in, buying and selling need; a second run confirms one again.
    confirmed = EmailAddress.objects.filter(verified=True, primary=True)
    assert sorted(confirmed.values_list("email", flat=True)) == sorted(printed_emails)
    EmailAddress.objects.filter(email=printed_emails[0]).update(verified=False)

    # The Colombian shop ships its own way, at its own price at home; the American one at the carriers' rates.
    settings = ShopShipping.objects.get()
    assert settings.shop.country == "CO" and settings.handling_days == 1 and settings.carriers.exists()
    assert {(rate.zone, rate.base, rate.per_extra_item) for rate in settings.rates.all()} == {
        ("domestic", D("2.50"), D("1.00"))
    }
    co_listing = Listing.objects.filter(seller__shop__country="CO", status=Listing.Status.ACTIVE).first()
    page = client.get(co_listing.get_absolute_url(), {"ship_to": "CO"}).content.decode()
    assert "$2.50" in page

    before = row_counts()
    settings.handling_days = 3  # the seller's own change: a second run keeps it
    settings.save()
    second = seed_demo()
    assert row_counts() == before
    assert ShopShipping.objects.get().handling_days == 3
    assert "created 0 users, 0 shops, 0 books, 0 listings, 0 shop shipping settings and 0 photos" in second
    assert confirmed.count() == len(printed_emails)

    password = re.search(r"Password for every demo account: (\S+)", output).group(1)
    for email in printed_emails:
        assert client.login(email=email, password=password), email
        client.logout()
    # And through the real sign-in page, as a person would.
    response = client.post(reverse("account_login"), {"login": printed_emails[0], "password": password})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(User.objects.get(email=printed_emails[0]).pk)
