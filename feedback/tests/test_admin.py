"""Staff's side: the feedback admin (search, filters, hiding with a reason) and the shops' figures."""

import pytest
from django.urls import reverse

from accounts.models import Shop, ShopStats
from feedback.models import Feedback
from feedback.services import leave_feedback
from orders.tests.conftest import assert_admin_pages_render

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:feedback_feedback_changelist")


@pytest.fixture
def rated(delivered, charlie):
    return leave_feedback(delivered, charlie, 1, "Rude words")


def test_pages_render_within_budget(client_for, staff, rated, django_assert_max_num_queries):
    client = client_for(staff)
    assert_admin_pages_render(client, Feedback, 12, 12, django_assert_max_num_queries)
    assert_admin_pages_render(client, ShopStats, 12, 12, django_assert_max_num_queries)
    for query in ({"q": "Rude"}, {"q": rated.shipment.order.number}, {"is_hidden__exact": "1"}, {"stars": "1"}):
        assert client.get(CHANGELIST, query).status_code == 200


def test_no_one_adds_or_edits_feedback_here(client_for, staff, rated):
    client = client_for(staff)
    assert client.get(reverse("admin:feedback_feedback_add")).status_code == 403
    response = client.post(reverse("admin:feedback_feedback_change", args=[rated.pk]), {"stars": "5"})
    assert response.status_code == 403
    assert Feedback.objects.get().stars == 1


def test_hiding_needs_a_reason_and_the_summary_follows(client_for, staff, rated, alice):
    client = client_for(staff)
    action = {"action": "hide_selected", "_selected_action": [rated.pk]}
    client.post(CHANGELIST, {**action, "reason": ""})
    assert not Feedback.objects.get().is_hidden
    client.post(CHANGELIST, {**action, "reason": "Insults"})
    feedback = Feedback.objects.get()
    assert (feedback.is_hidden, feedback.hidden_reason, feedback.hidden_by) == (True, "Insults", staff)
    assert ShopStats.objects.get(shop=alice.shop).rating_count == 0
    client.post(CHANGELIST, {"action": "unhide_selected", "_selected_action": [rated.pk]})
    assert not Feedback.objects.get().is_hidden
    assert ShopStats.objects.get(shop=alice.shop).rating_count == 1


def test_shop_admin_shows_and_filters_by_the_figures(
    client_for, staff, alice, bob, rated, django_assert_max_num_queries
):
    ShopStats.objects.filter(shop=alice.shop).update(on_time_percent_90d=70, cancelled_by_seller_90d=3, orders_90d=9)
    client = client_for(staff)
    url = reverse("admin:accounts_shop_changelist")
    with django_assert_max_num_queries(10):
        html = client.get(url).content.decode()
    assert "1.0 ★ (1)" in html and "70%" in html
    for params, expected in [
        ({"rating": "<4"}, {alice.shop}),
        ({"rating": "none"}, {bob.shop}),
        ({"rating": "4.5+"}, set()),
        ({"on_time": "<80"}, {alice.shop}),
        ({"on_time": "none"}, {bob.shop}),
        ({"cancelled": "3+"}, {alice.shop}),
        ({"cancelled": "0"}, {bob.shop}),
        ({"claims": "0"}, {alice.shop, bob.shop}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 200
        assert set(response.context["cl"].result_list) == expected, params
    assert Shop.objects.count() == 2


def test_outsiders_do_not_reach_the_admin(client, client_for, alice, rated):
    assert client.get(CHANGELIST).status_code == 302
    assert client_for(alice).get(CHANGELIST).status_code == 302
