"""The rules of feedback: who may rate, once, for how long it changes, answers, hiding, and the shop's summary."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import ShopStats
from conftest import UserFactory
from feedback.models import Feedback
from feedback.services import (
    FeedbackError,
    answer_feedback,
    can_rate,
    change_feedback,
    hide_feedback,
    leave_feedback,
    recompute_rating_window,
    unhide_feedback,
)
from feedback.tests.conftest import deliver, order_from
from orders.models import Shipment
from orders.services.shipments import mark_shipped

pytestmark = pytest.mark.django_db


def stats(shop) -> ShopStats:
    return ShopStats.objects.get(shop=shop)


def test_the_buyer_rates_a_delivered_parcel_and_the_summary_counts_it(delivered, charlie, alice):
    feedback = leave_feedback(delivered, charlie, 5, "  Well packed.  ")
    assert (feedback.stars, feedback.comment) == (5, "Well packed.")
    assert (feedback.shop, feedback.buyer) == (alice.shop, charlie)
    figures = stats(alice.shop)
    assert (figures.rating_count, figures.rating_total, figures.rated_12m, figures.positive_12m) == (1, 5, 1, 1)
    assert figures.average == 5.0 and figures.positive_percent_12m == 100


def test_not_before_the_parcel_arrived(paid, charlie, alice):
    _order, shipment = paid
    with pytest.raises(FeedbackError) as refused:
        leave_feedback(shipment, charlie, 4)
    assert refused.value.code == "not_arrived"
    mark_shipped(shipment, alice)
    with pytest.raises(FeedbackError) as refused:
        leave_feedback(Shipment.objects.get(pk=shipment.pk), charlie, 4)
    assert refused.value.code == "not_arrived"
    assert not Feedback.objects.exists() and not ShopStats.objects.exists()


def test_a_parcel_shipped_30_days_ago_counts_as_arrived(paid, charlie, alice):
    _order, shipment = paid
    mark_shipped(shipment, alice, now=timezone.now() - timedelta(days=31))
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED and shipment.has_arrived
    assert leave_feedback(shipment, charlie, 3).stars == 3


def test_only_the_orders_buyer(delivered, bob, alice):
    for outsider in (bob, alice, UserFactory()):
        assert not can_rate(delivered, outsider)
        with pytest.raises(FeedbackError) as refused:
            leave_feedback(delivered, outsider, 5)
        assert refused.value.code == "not_your_order"


def test_once_per_shipment(delivered, charlie, alice):
    leave_feedback(delivered, charlie, 5)
    with pytest.raises(FeedbackError) as refused:
        leave_feedback(delivered, charlie, 1)
    assert refused.value.code == "already_rated"
    assert stats(alice.shop).rating_count == 1


def test_two_orders_from_one_seller_give_two_ratings(delivered, charlie, alice, carriers):
    _order, second = order_from(charlie, alice, carriers)
    deliver(second, alice)
    leave_feedback(delivered, charlie, 5)
    leave_feedback(second, charlie, 2)
    figures = stats(alice.shop)
    assert (figures.rating_count, figures.rating_total, figures.positive_12m, figures.rated_12m) == (2, 7, 1, 2)
    assert figures.average == 3.5 and figures.positive_percent_12m == 50


@pytest.mark.parametrize("stars", [0, 6, "x", None, -1])
def test_stars_from_1_to_5(delivered, charlie, stars):
    with pytest.raises(FeedbackError) as refused:
        leave_feedback(delivered, charlie, stars)
    assert refused.value.code == "invalid_stars"


def test_comment_up_to_1000_characters(delivered, charlie):
    with pytest.raises(FeedbackError) as refused:
        leave_feedback(delivered, charlie, 4, "x" * 1001)
    assert refused.value.code == "comment_too_long"
    assert len(leave_feedback(delivered, charlie, 4, "x" * 1000).comment) == 1000


def test_changed_within_14_days_and_the_summary_follows(delivered, charlie, alice):
    feedback = leave_feedback(delivered, charlie, 5)
    change_feedback(feedback, charlie, 2, "The cover was torn.")
    figures = stats(alice.shop)
    assert (figures.rating_count, figures.rating_total, figures.positive_12m) == (1, 2, 0)


def test_not_changed_after_14_days(delivered, charlie, alice):
    feedback = leave_feedback(delivered, charlie, 5)
    Feedback.objects.filter(pk=feedback.pk).update(created_at=timezone.now() - timedelta(days=14, minutes=1))
    with pytest.raises(FeedbackError) as refused:
        change_feedback(feedback, charlie, 1)
    assert refused.value.code == "too_late"
    assert Feedback.objects.get().stars == 5 and stats(alice.shop).rating_total == 5


def test_only_its_buyer_changes_it(delivered, charlie, bob):
    feedback = leave_feedback(delivered, charlie, 5)
    with pytest.raises(FeedbackError) as refused:
        change_feedback(feedback, bob, 1)
    assert refused.value.code == "not_your_feedback"


def test_the_seller_answers_once(delivered, charlie, alice, bob):
    feedback = leave_feedback(delivered, charlie, 4)
    with pytest.raises(FeedbackError) as refused:
        answer_feedback(feedback, bob, "Thanks")
    assert refused.value.code == "not_your_feedback"
    with pytest.raises(FeedbackError) as refused:
        answer_feedback(feedback, alice, "   ")
    assert refused.value.code == "empty_answer"
    answered = answer_feedback(feedback, alice, "Thank you, Charlie!")
    assert answered.answer == "Thank you, Charlie!" and answered.answered_at
    with pytest.raises(FeedbackError) as refused:
        answer_feedback(feedback, alice, "Again")
    assert refused.value.code == "already_answered"


def test_hiding_takes_it_out_of_the_summary_and_showing_puts_it_back(delivered, charlie, alice, staff, carriers):
    _order, second = order_from(charlie, alice, carriers)
    deliver(second, alice)
    kept = leave_feedback(delivered, charlie, 5)
    abusive = leave_feedback(second, charlie, 1, "abuse")
    with pytest.raises(FeedbackError) as refused:
        hide_feedback(abusive, staff, "  ")
    assert refused.value.code == "no_reason"
    hidden = hide_feedback(abusive, staff, "Insults")
    assert (hidden.is_hidden, hidden.hidden_reason, hidden.hidden_by) == (True, "Insults", staff)
    figures = stats(alice.shop)
    assert (figures.rating_count, figures.rating_total, figures.rated_12m, figures.positive_12m) == (1, 5, 1, 1)
    hide_feedback(abusive, staff, "Twice")  # nothing more leaves
    assert stats(alice.shop).rating_count == 1
    with pytest.raises(FeedbackError) as refused:
        change_feedback(hidden, charlie, 5)
    assert refused.value.code == "hidden"
    unhide_feedback(abusive, staff)
    figures = stats(alice.shop)
    assert (figures.rating_count, figures.rating_total, figures.rated_12m, figures.positive_12m) == (2, 6, 2, 1)
    assert kept.pk != abusive.pk


def test_the_summary_changes_in_the_same_transaction(delivered, charlie, alice):
    """A rating that rolls back leaves no trace in the summary; inside the transaction both are there."""
    with pytest.raises(RuntimeError), transaction.atomic():
        leave_feedback(delivered, charlie, 5)
        assert stats(alice.shop).rating_count == 1
        raise RuntimeError("the caller's transaction fails afterwards")
    assert not Feedback.objects.exists()
    assert not ShopStats.objects.filter(shop=alice.shop, rating_count__gt=0).exists()


def test_the_daily_recount_slides_the_12_month_window(delivered, charlie, alice, carriers):
    _order, second = order_from(charlie, alice, carriers)
    deliver(second, alice)
    old = leave_feedback(delivered, charlie, 5)
    leave_feedback(second, charlie, 2)
    Feedback.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=366))
    # Drift on purpose: the recount also repairs the lifetime figures.
    ShopStats.objects.filter(shop=alice.shop).update(rating_count=9)
    assert recompute_rating_window() == 1
    figures = stats(alice.shop)
    assert (figures.rating_count, figures.rating_total, figures.rated_12m, figures.positive_12m) == (2, 7, 1, 0)
    assert figures.positive_percent_12m == 0 and figures.window_updated_at
    assert recompute_rating_window() == 0
