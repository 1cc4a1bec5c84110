"""The feedback pages, tried by every persona: the buyer, the seller, another buyer and seller, anonymous, staff."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ShopStats
from conftest import UserFactory
from feedback.models import Feedback
from feedback.services import hide_feedback, leave_feedback

pytestmark = pytest.mark.django_db


def rate_url(shipment):
    return reverse("feedback:rate", kwargs={"number": shipment.order.number, "shipment_id": shipment.pk})


@pytest.fixture
def rated(delivered, charlie):
    return leave_feedback(delivered, charlie, 4, "Good <b>book</b>")


# --- The buyer's form ------------------------------------------------------------------------------------------


def test_the_order_page_offers_to_rate_a_delivered_parcel(client_for, charlie, delivered):
    page = client_for(charlie).get(delivered.order.get_absolute_url())
    assert page.status_code == 200
    assert rate_url(delivered) in page.content.decode() and 'data-feedback="open"' in page.content.decode()


def test_the_order_page_does_not_offer_it_before_delivery(client_for, charlie, paid):
    order, shipment = paid
    page = client_for(charlie).get(order.get_absolute_url())
    assert rate_url(shipment) not in page.content.decode()


def test_the_buyer_rates_and_the_order_page_says_so(client_for, charlie, alice, delivered):
    client = client_for(charlie)
    assert client.get(rate_url(delivered)).status_code == 200
    response = client.post(rate_url(delivered), {"stars": "5", "comment": "Perfect"})
    assert response.status_code == 302 and response["Location"] == delivered.order.get_absolute_url()
    feedback = Feedback.objects.get()
    assert (feedback.stars, feedback.comment, feedback.buyer) == (5, "Perfect", charlie)
    assert ShopStats.objects.get(shop=alice.shop).rating_count == 1
    page = client.get(delivered.order.get_absolute_url()).content.decode()
    assert 'data-feedback="rated"' in page


@pytest.mark.parametrize(
    "data", [{}, {"stars": "0"}, {"stars": "9"}, {"stars": "abc"}, {"stars": "3", "comment": "x" * 1001}]
)
def test_bad_ratings_are_400_with_a_message(client_for, charlie, delivered, data):
    response = client_for(charlie).post(rate_url(delivered), data)
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_rating_before_delivery_is_refused(client_for, charlie, paid):
    _order, shipment = paid
    client = client_for(charlie)
    page = client.get(rate_url(shipment))
    assert page.status_code == 200 and b'name="stars"' not in page.content
    assert client.post(rate_url(shipment), {"stars": "5"}).status_code == 400
    assert not Feedback.objects.exists()


def test_the_buyer_changes_it_within_14_days_then_no_more(client_for, charlie, rated):
    client = client_for(charlie)
    url = rate_url(rated.shipment)
    assert b'value="4"' in client.get(url).content
    assert client.post(url, {"stars": "2", "comment": "Changed"}).status_code == 302
    assert Feedback.objects.get().stars == 2
    Feedback.objects.update(created_at=timezone.now() - timedelta(days=15))
    page = client.get(url)
    assert page.status_code == 200 and b'name="stars"' not in page.content
    assert client.post(url, {"stars": "5"}).status_code == 400
    assert Feedback.objects.get().stars == 2


@pytest.mark.parametrize("persona", ["alice", "bob", "other_buyer", "staff"])
def test_outsiders_get_404_on_the_rating_form(client_for, request, delivered, persona):
    user = UserFactory() if persona == "other_buyer" else request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(rate_url(delivered)).status_code == 404
    assert client.post(rate_url(delivered), {"stars": "1"}).status_code == 404
    assert not Feedback.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, delivered):
    response = client.get(rate_url(delivered))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(rate_url(delivered), {"stars": "1"}).status_code == 302
    assert not Feedback.objects.exists()


def test_a_shipment_of_another_order_is_404(client_for, charlie, delivered, carriers, alice):
    from feedback.tests.conftest import order_from

    other_order, _shipment = order_from(charlie, alice, carriers)
    url = reverse("feedback:rate", kwargs={"number": other_order.number, "shipment_id": delivered.pk})
    assert client_for(charlie).get(url).status_code == 404
    url = reverse("feedback:rate", kwargs={"number": "NOPE", "shipment_id": 999999})
    assert client_for(charlie).get(url).status_code == 404


def test_the_form_answers_405_to_other_methods(client_for, charlie, delivered):
    assert client_for(charlie).put(rate_url(delivered)).status_code == 405


# --- The public page -------------------------------------------------------------------------------------------


def test_the_shop_feedback_page_lists_visible_feedback_newest_first_with_answers(
    client, delivered, charlie, alice, staff, carriers
):
    from feedback.services import answer_feedback
    from feedback.tests.conftest import deliver, order_from

    first = leave_feedback(delivered, charlie, 5, "First")
    answer_feedback(first, alice, "Thanks!")
    _order, second = order_from(charlie, alice, carriers)
    deliver(second, alice)
    hide_feedback(leave_feedback(second, charlie, 1, "Abusive words"), staff, "Insults")
    _order, third = order_from(charlie, alice, carriers)
    deliver(third, alice)
    leave_feedback(third, charlie, 3, "Third")
    page = client.get(reverse("feedback:shop", kwargs={"slug": alice.shop.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Third") < html.index("First") and "Thanks!" in html
    assert "Abusive words" not in html
    assert "2 ratings" in html


def test_the_shop_feedback_page_escapes_comments(client, rated, alice):
    html = client.get(reverse("feedback:shop", kwargs={"slug": alice.shop.slug})).content.decode()
    assert "Good &lt;b&gt;book&lt;/b&gt;" in html


def test_the_shop_feedback_page_is_paginated(client, alice, charlie, rated, settings, monkeypatch):
    from feedback import views

    monkeypatch.setattr(views, "FEEDBACK_PAGE_SIZE", 1)
    url = reverse("feedback:shop", kwargs={"slug": alice.shop.slug})
    assert client.get(url, {"page": "2"}).status_code == 200  # past the end: the last page
    assert client.get(url, {"page": "x"}).status_code == 200


def test_unknown_shop_is_404(client):
    assert client.get(reverse("feedback:shop", kwargs={"slug": "nobody"})).status_code == 404


def test_the_shop_feedback_page_query_budget(client, rated, alice, django_assert_max_num_queries):
    url = reverse("feedback:shop", kwargs={"slug": alice.shop.slug})
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200


# --- The seller's pages ----------------------------------------------------------------------------------------


def test_the_seller_sees_their_feedback_and_answers(client_for, alice, rated):
    client = client_for(alice)
    page = client.get(reverse("feedback:seller_list"))
    assert page.status_code == 200 and reverse("feedback:answer", args=[rated.pk]) in page.content.decode()
    url = reverse("feedback:answer", args=[rated.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"answer": ""}).status_code == 400
    assert client.post(url, {"answer": "x" * 1001}).status_code == 400
    response = client.post(url, {"answer": "Thank you!"})
    assert response.status_code == 302
    assert Feedback.objects.get().answer == "Thank you!"
    response = client.post(url, {"answer": "Again"}, follow=True)
    assert Feedback.objects.get().answer == "Thank you!"


def test_the_seller_sees_feedback_removed_by_staff(client_for, alice, rated, staff):
    hide_feedback(rated, staff, "Personal data")
    html = client_for(alice).get(reverse("feedback:seller_list")).content.decode()
    assert "Removed by staff" in html and "Personal data" in html


def test_the_seller_answers_from_the_sale_page(client_for, alice, rated):
    html = client_for(alice).get(reverse("shipping:sale_detail", args=[rated.shipment_id])).content.decode()
    assert reverse("feedback:answer", args=[rated.pk]) in html


@pytest.mark.parametrize("persona", ["bob", "charlie", "staff"])
def test_outsiders_get_404_on_the_answer_page(client_for, request, rated, persona):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("feedback:answer", args=[rated.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "Not mine"}).status_code == 404
    assert Feedback.objects.get().answer == ""


def test_the_seller_list_shows_only_their_own(client_for, bob, rated):
    html = client_for(bob).get(reverse("feedback:seller_list")).content.decode()
    assert "Good &lt;b&gt;book" not in html


def test_anonymous_and_buyers_without_a_shop_are_sent_elsewhere(client, client_for, rated):
    assert client.get(reverse("feedback:seller_list")).status_code == 302
    assert client.get(reverse("feedback:answer", args=[rated.pk])).status_code == 302
    other = UserFactory()
    assert client_for(other).get(reverse("feedback:seller_list")).status_code == 302


def test_seller_pages_query_budget(client_for, alice, rated, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("feedback:seller_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("feedback:answer", args=[rated.pk])).status_code == 200


def test_rating_form_query_budget(client_for, charlie, delivered, django_assert_max_num_queries):
    client = client_for(charlie)
    with django_assert_max_num_queries(6):
        assert client.get(rate_url(delivered)).status_code == 200


def test_read_only_pages_answer_405_to_posts(client, client_for, alice, rated):
    assert client.post(reverse("feedback:shop", kwargs={"slug": alice.shop.slug})).status_code == 405
    assert client_for(alice).post(reverse("feedback:seller_list")).status_code == 405


@pytest.mark.parametrize("persona", ["anonymous", "charlie", "bob", "staff"])
def test_everyone_reads_a_shops_public_feedback(client, client_for, request, alice, rated, persona):
    if persona != "anonymous":
        client = client_for(request.getfixturevalue(persona))
    html = client.get(reverse("feedback:shop", kwargs={"slug": alice.shop.slug})).content.decode()
    assert "Good &lt;b&gt;book" in html
