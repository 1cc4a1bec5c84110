"""Real races on MariaDB: ratings of one shop given at the same moment all count; one shipment is rated once."""

import pytest

from accounts.models import ShopStats
from conftest import UserFactory, mysql_only
from feedback.models import Feedback
from feedback.services import FeedbackError, leave_feedback
from feedback.tests.conftest import deliver, order_from
from orders.tests.test_concurrency import run_together

pytestmark = [mysql_only, pytest.mark.mysql, pytest.mark.django_db(transaction=True)]


def _rate(shipment, buyer, stars):
    def job():
        try:
            leave_feedback(shipment, buyer, stars)
        except FeedbackError as error:
            return error.code
        return "rated"

    return job


def test_first_ratings_of_a_shop_at_once_all_count(alice, carriers):
    parcels = []
    for _ in range(4):
        buyer = UserFactory()
        _order, shipment = order_from(buyer, alice, carriers)
        parcels.append((deliver(shipment, alice), buyer))
    outcomes = run_together([_rate(shipment, buyer, 4 + n % 2) for n, (shipment, buyer) in enumerate(parcels)])
    assert outcomes == ["rated"] * 4
    stats = ShopStats.objects.get(shop=alice.shop)
    assert (stats.rating_count, stats.rating_total, stats.rated_12m, stats.positive_12m) == (4, 18, 4, 4)


def test_one_shipment_rated_twice_at_once_counts_once(alice, charlie, carriers):
    _order, shipment = order_from(charlie, alice, carriers)
    deliver(shipment, alice)
    outcomes = run_together([_rate(shipment, charlie, 5), _rate(shipment, charlie, 1)])
    assert sorted(outcomes) == ["already_rated", "rated"]
    assert Feedback.objects.count() == 1
    assert ShopStats.objects.get(shop=alice.shop).rating_count == 1
