import pytest
from django.urls import reverse

from conftest import ListingFactory, UserFactory
from messaging.models import Block, Message, Thread
from messaging.services import ask_about_listing, post_message, write_about_shipment


def thread_url(thread):
    return reverse("messaging:thread", kwargs={"pk": thread.pk})


# --- Personas ---------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, question, alice_listing):
    for url in [
        reverse("messaging:inbox"),
        thread_url(question),
        reverse("messaging:ask", kwargs={"pk": alice_listing.pk}),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("who", ["charlie", "alice"])
def test_both_sides_read_the_thread(client_for, question, who, request):
    response = client_for(request.getfixturevalue(who)).get(thread_url(question))
    assert response.status_code == 200
    assert "Is the spine cracked?" in response.content.decode()


@pytest.mark.parametrize("who", ["bob", "staff", "other_buyer"])
def test_outsiders_get_404(client_for, question, who, request):
    user = UserFactory() if who == "other_buyer" else request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(thread_url(question)).status_code == 404
    assert client.post(thread_url(question), {"body": "hi"}).status_code == 404
    assert client.post(reverse("messaging:block", kwargs={"pk": question.pk})).status_code == 404
    assert Message.objects.count() == 1


def test_wrong_methods(client_for, question, alice):
    client = client_for(alice)
    assert client.post(reverse("messaging:inbox")).status_code == 405
    assert client.get(reverse("messaging:block", kwargs={"pk": question.pk})).status_code == 405
    assert client.delete(thread_url(question)).status_code == 405


def test_the_buyer_cannot_block(client_for, question, charlie):
    response = client_for(charlie).post(reverse("messaging:block", kwargs={"pk": question.pk}))
    assert response.status_code == 404
    assert not Block.objects.exists()


# --- Starting a thread --------------------------------------------------------


def test_ask_the_seller_button_on_the_listing_page(client, client_for, alice_listing, alice, charlie):
    ask = reverse("messaging:ask", kwargs={"pk": alice_listing.pk})
    assert ask in client.get(alice_listing.get_absolute_url()).content.decode()  # anonymous: signs in first
    assert ask in client_for(charlie).get(alice_listing.get_absolute_url()).content.decode()
    assert ask not in client_for(alice).get(alice_listing.get_absolute_url()).content.decode()


def test_asking_starts_the_thread(client_for, charlie, alice_listing):
    client = client_for(charlie)
    url = reverse("messaging:ask", kwargs={"pk": alice_listing.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Alice&#x27;s Attic" in page.content.decode()
    response = client.post(url, {"body": "Does it have notes in the margins?"})
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread_url(thread)
    # A second visit goes to the thread already there.
    assert client.get(url)["Location"] == thread_url(thread)


def test_the_owner_and_hidden_listings_answer_404(client_for, alice, alice_listing, charlie):
    assert client_for(alice).get(reverse("messaging:ask", kwargs={"pk": alice_listing.pk})).status_code == 404
    paused = ListingFactory(status="paused")
    assert client_for(charlie).get(reverse("messaging:ask", kwargs={"pk": paused.pk})).status_code == 404
    assert client_for(charlie).get(reverse("messaging:ask", kwargs={"pk": 999999})).status_code == 404


def test_empty_message_is_a_form_error(client_for, charlie, alice_listing):
    response = client_for(charlie).post(reverse("messaging:ask", kwargs={"pk": alice_listing.pk}), {"body": "  "})
    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_daily_limit_answers_429_with_a_message(client_for, charlie, settings):
    settings.MESSAGING_MAX_NEW_THREADS_PER_DAY = 1
    first, second = ListingFactory(), ListingFactory()
    ask_about_listing(first, charlie, "one")
    response = client_for(charlie).post(reverse("messaging:ask", kwargs={"pk": second.pk}), {"body": "two"})
    assert response.status_code == 429
    assert "the most allowed" in response.content.decode()
    assert Thread.objects.count() == 1


def test_shipment_thread_from_order_and_sale_pages(client_for, placed_order, charlie, alice, bob):
    shipment = placed_order.shipments.get(seller=alice)
    url = reverse("messaging:shipment", kwargs={"pk": shipment.pk})
    assert url in client_for(charlie).get(placed_order.get_absolute_url()).content.decode()
    assert url in client_for(alice).get(reverse("shipping:sale_detail", kwargs={"pk": shipment.pk})).content.decode()
    assert client_for(bob).get(url).status_code == 404
    assert client_for(UserFactory()).get(url).status_code == 404
    response = client_for(alice).post(url, {"body": "Shipping tomorrow"})
    thread = Thread.objects.get(shipment=shipment)
    assert response["Location"] == thread_url(thread)
    page = client_for(charlie).get(thread_url(thread)).content.decode()
    assert placed_order.number in page and "Shipping tomorrow" in page


# --- The thread page ----------------------------------------------------------


def test_reply_and_unread_counts(client_for, question, alice, charlie):
    client = client_for(alice)
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert 'data-unread-messages="1"' in inbox
    client.get(thread_url(question))
    assert 'data-unread-messages="1"' not in client.get(reverse("messaging:inbox")).content.decode()
    response = client.post(thread_url(question), {"body": "No, it is fine."})
    assert response.status_code == 302
    assert Message.objects.filter(thread=question, author=alice).exists()
    inbox = client_for(charlie).get(reverse("messaging:inbox")).content.decode()
    assert 'data-unread-messages="1"' in inbox


def test_messages_are_text_and_links_are_not_clickable(client_for, question, charlie, alice):
    post_message(question, charlie, '<script>alert("x")</script>\nSee https://evil.example/page please')
    page = client_for(alice).get(thread_url(question)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>" in page
    assert "https://evil.example/page" in page
    assert 'href="https://evil.example' not in page


def test_no_email_address_on_any_page_of_the_thread(client_for, placed_order, question, charlie, alice):
    write_about_shipment(placed_order.shipments.get(seller=alice), alice, "Hello")
    shipment_thread = Thread.objects.get(shipment__isnull=False)
    for viewer, other in [(charlie, alice), (alice, charlie)]:
        client = client_for(viewer)
        for url in [
            reverse("messaging:inbox"),
            thread_url(question),
            thread_url(shipment_thread),
        ]:
            assert other.email not in client.get(url).content.decode(), url


def test_block_and_unblock_from_the_thread_page(client_for, question, alice, charlie):
    seller = client_for(alice)
    assert seller.post(reverse("messaging:block", kwargs={"pk": question.pk})).status_code == 302
    assert Block.objects.filter(seller=alice, buyer=charlie).exists()
    buyer = client_for(charlie)
    page = buyer.get(thread_url(question))
    assert "does not accept messages from you" in page.content.decode()
    assert 'name="body"' not in page.content.decode()
    response = buyer.post(thread_url(question), {"body": "please"})
    assert response.status_code == 403
    assert "does not accept messages from you" in response.content.decode()
    seller = client_for(alice)
    seller.post(reverse("messaging:unblock", kwargs={"pk": question.pk}))
    assert not Block.objects.exists()
    assert client_for(charlie).post(thread_url(question), {"body": "thanks"}).status_code == 302


def test_staff_notice_in_the_help_text(client_for, question, charlie):
    page = client_for(charlie).get(thread_url(question)).content.decode()
    assert "staff may read this conversation" in page


def test_spanish(client_for, question, charlie):
    client = client_for(charlie)
    page = client.get(thread_url(question), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Conversación con" in page
    assert "Mensajes" in client.get(reverse("messaging:inbox"), HTTP_ACCEPT_LANGUAGE="es").content.decode()


# --- Query budgets ------------------------------------------------------------


def test_inbox_queries_do_not_grow_with_threads(client_for, charlie, django_assert_max_num_queries):
    for _ in range(5):
        ask_about_listing(ListingFactory(), charlie, "hello")
    client = client_for(charlie)
    client.get(reverse("messaging:inbox"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("messaging:inbox"))
    assert response.content.decode().count("/messages/") >= 5


def test_thread_page_queries(client_for, question, alice, django_assert_max_num_queries):
    for i in range(10):
        post_message(question, alice, f"answer {i}")
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        client.get(thread_url(question))


def test_unread_count_in_the_navigation_costs_one_query_then_none(
    client_for, question, alice, django_assert_num_queries
):
    from bookstore.context_processors import LazyCount
    from messaging.services import unread_total

    with django_assert_num_queries(1):
        assert unread_total(alice) == 1
    with django_assert_num_queries(0):
        assert unread_total(alice) == 1
        assert int(LazyCount(lambda: unread_total(alice))) == 1


def test_inbox_lists_newest_activity_first_and_pages(client_for, charlie, monkeypatch):
    from messaging import views

    monkeypatch.setattr(views, "INBOX_PAGE_SIZE", 2)
    first = ask_about_listing(ListingFactory(book__title="First Book"), charlie, "one")
    ask_about_listing(ListingFactory(book__title="Second Book"), charlie, "two")
    ask_about_listing(ListingFactory(book__title="Third Book"), charlie, "three")
    post_message(first, first.seller, "an answer")
    client = client_for(charlie)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert page.index("First Book") < page.index("Third Book")
    assert "Second Book" not in page
    assert "Second Book" in client.get(reverse("messaging:inbox"), {"page": 2}).content.decode()
    for bad in ["abc", "-1", "99999"]:
        assert client.get(reverse("messaging:inbox"), {"page": bad}).status_code == 200


def test_start_pages_budget_and_staff_outsider(
    client_for, placed_order, alice, staff, alice_listing, charlie, django_assert_max_num_queries
):
    shipment = placed_order.shipments.get(seller=alice)
    assert client_for(staff).get(reverse("messaging:shipment", kwargs={"pk": shipment.pk})).status_code == 404
    client = client_for(charlie)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("messaging:shipment", kwargs={"pk": shipment.pk})).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("messaging:ask", kwargs={"pk": alice_listing.pk})).status_code == 200


def test_a_thread_about_a_deleted_listing_keeps_its_title(client_for, question, charlie, alice_listing):
    alice_listing.delete()
    page = client_for(charlie).get(thread_url(question)).content.decode()
    assert "The Name of the Rose" in page and "no longer listed" in page


def test_signed_in_pages_ask_nothing_for_the_badge_until_a_message_changes_it(client_for, question, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)  # signing in counts the unread messages once
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("catalog:browse")).content.decode()
    assert 'data-unread-messages="1"' in page
    assert not [q for q in queries.captured_queries if "messaging_participant" in q["sql"]]
    post_message(question, question.buyer, "another one")
    assert 'data-unread-messages="2"' in client.get(reverse("catalog:browse")).content.decode()
