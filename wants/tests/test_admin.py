from decimal import Decimal

import pytest

from conftest import ListingFactory
from orders.tests.conftest import assert_admin_pages_render
from wants.models import Match, SavedSearch, Want

pytestmark = pytest.mark.django_db


def test_staff_find_wants_searches_and_matches(
    client_for, staff, charlie, charlie_want, alice, django_assert_max_num_queries
):
    SavedSearch.objects.create(user=charlie, query="q=eliot", q="eliot", key_word="eliot")
    listing = ListingFactory(seller=alice)
    Match.objects.create(user=charlie, listing=listing, want=charlie_want, price=Decimal("18.00"))
    client = client_for(staff)
    for model in (Want, SavedSearch, Match):
        assert_admin_pages_render(client, model, 12, 12, django_assert_max_num_queries)


def test_buyers_cannot_reach_the_admin(client_for, charlie, charlie_want):
    assert client_for(charlie).get("/admin/wants/want/").status_code == 302
