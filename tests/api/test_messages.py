"""Messages through the API: the inbox, a thread, replies, and the messaging rules (blocks, the daily quota)."""

import pytest

from messaging import services
from messaging.models import Block, Message

MESSAGES = "/api/v1/messages"


@pytest.fixture
def thread(charlie, alice_listing):
    return services.ask_about_listing(alice_listing, charlie, "Is the cover intact?")


def test_the_inbox_lists_both_sides_conversations(api, alice, charlie, thread, django_assert_max_num_queries):
    client = api(alice, "read")
    with django_assert_max_num_queries(4):
        response = client.get(MESSAGES)
    assert response.status_code == 200, response.content
    (item,) = response.json()["items"]
    assert (item["id"], item["role"], item["unread"], item["with_name"]) == (thread.pk, "seller", 1, "Charlie Buyer")
    assert api(charlie, "read").get(MESSAGES).json()["items"][0]["role"] == "buyer"


def test_reading_a_thread_marks_it_read_and_replying_tells_the_other_side(api, alice, charlie, thread):
    client = api(alice, "sell")
    response = client.get(f"{MESSAGES}/{thread.pk}")
    assert response.status_code == 200, response.content
    assert [m["body"] for m in response.json()["messages"]] == ["Is the cover intact?"]
    assert client.get(MESSAGES).json()["items"][0]["unread"] == 0

    reply = client.post(f"{MESSAGES}/{thread.pk}/messages", {"body": "Yes, like new."})
    assert reply.status_code == 201, reply.content
    assert reply["Location"].endswith(f"{MESSAGES}/{thread.pk}")
    assert reply.json()["mine"] is True
    assert api(charlie, "read").get(MESSAGES).json()["items"][0]["unread"] == 1


def test_a_read_token_does_not_mark_a_thread_read(api, alice, thread):
    api(alice, "read").get(f"{MESSAGES}/{thread.pk}")
    assert api(alice, "read").get(MESSAGES).json()["items"][0]["unread"] == 1


def test_someone_else_cannot_reach_the_thread(api, bob, thread):
    client = api(bob, "buy", "sell")
    assert client.get(f"{MESSAGES}/{thread.pk}").status_code == 404
    assert client.post(f"{MESSAGES}/{thread.pk}/messages", {"body": "Hello"}).status_code == 404
    assert Message.objects.count() == 1


def test_a_blocked_buyer_cannot_write(api, alice, charlie, thread):
    services.block_buyer(thread, alice)
    response = api(charlie, "buy").post(f"{MESSAGES}/{thread.pk}/messages", {"body": "Hello?"})
    assert (response.status_code, response.json()["code"]) == (403, "blocked")
    assert Block.objects.exists() and Message.objects.count() == 1


def test_an_empty_or_long_body_is_a_field_error(api, charlie, thread):
    client = api(charlie, "buy")
    assert "body" in client.post(f"{MESSAGES}/{thread.pk}/messages", {"body": "   "}).json()["errors"]
    assert client.post(f"{MESSAGES}/{thread.pk}/messages", {"body": "x" * 2001}).status_code == 422


def test_asking_about_a_listing_starts_a_thread_and_the_daily_quota_holds(api, charlie, settings):
    from conftest import ListingFactory

    settings.MESSAGING_MAX_NEW_THREADS_PER_DAY = 1
    client = api(charlie, "buy")
    first = client.post(MESSAGES, {"listing_id": ListingFactory().pk, "body": "Still for sale?"})
    assert first.status_code == 201, first.content
    assert first["Location"].endswith(f"{MESSAGES}/{first.json()['id']}")
    second = client.post(MESSAGES, {"listing_id": ListingFactory().pk, "body": "And this one?"})
    assert (second.status_code, second.json()["code"]) == (429, "too_many_threads")
    assert second["Retry-After"]


def test_asking_about_your_own_listing_is_a_conflict(api, alice, alice_listing):
    response = api(alice, "buy").post(MESSAGES, {"listing_id": alice_listing.pk, "body": "Hi me"})
    assert (response.status_code, response.json()["code"]) == (409, "own_listing")


# --- About a shipment, and blocking ---------------------------------------------------------------------------


@pytest.fixture
def shipment(placed_order, alice):
    return placed_order.shipments.get(seller=alice)


def test_either_side_of_a_shipment_writes_about_it_in_one_thread(api, alice, charlie, shipment, mailoutbox):
    first = api(charlie, "buy").post(f"{MESSAGES}/shipments", {"shipment_id": shipment.pk, "body": "When does it go?"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["subject"], body["shipment_id"], body["role"]) == ("shipment", shipment.pk, "buyer")
    assert first["Location"].endswith(f"{MESSAGES}/{body['id']}")
    answer = api(alice, "sell").post(f"{MESSAGES}/shipments", {"shipment_id": shipment.pk, "body": "Tomorrow."})
    assert answer.status_code == 201 and answer.json()["id"] == body["id"]  # the same conversation
    assert [m["body"] for m in answer.json()["messages"]] == ["When does it go?", "Tomorrow."]


def test_a_shipment_needs_the_scope_of_your_side_and_must_be_yours(api, alice, bob, charlie, shipment):
    wrong_scope = api(alice, "buy").post(f"{MESSAGES}/shipments", {"shipment_id": shipment.pk, "body": "Hi"})
    assert wrong_scope.status_code == 403
    someone_else = api(bob, "buy", "sell").post(f"{MESSAGES}/shipments", {"shipment_id": shipment.pk, "body": "Hi"})
    assert (someone_else.status_code, list(someone_else.json()["errors"])) == (422, ["shipment_id"])
    assert Message.objects.count() == 0


def test_the_seller_blocks_and_unblocks_the_buyer(api, alice, charlie, thread):
    seller = api(alice, "sell")
    blocked = seller.put(f"{MESSAGES}/{thread.pk}/block")
    assert blocked.status_code == 200 and blocked.json()["blocked"] is True
    assert seller.put(f"{MESSAGES}/{thread.pk}/block").status_code == 200  # again: no change
    assert Block.objects.count() == 1
    refused = api(charlie, "buy").post(f"{MESSAGES}/{thread.pk}/messages", {"body": "Hello?"})
    assert (refused.status_code, refused.json()["code"]) == (403, "blocked")

    unblocked = seller.delete(f"{MESSAGES}/{thread.pk}/block")
    assert unblocked.status_code == 200 and unblocked.json()["blocked"] is False
    assert api(charlie, "buy").post(f"{MESSAGES}/{thread.pk}/messages", {"body": "Hello?"}).status_code == 201


def test_only_the_seller_with_sell_blocks(api, alice, bob, charlie, thread):
    assert api(charlie, "buy", "sell").put(f"{MESSAGES}/{thread.pk}/block").json()["code"] == "not_seller"
    assert api(alice, "read").put(f"{MESSAGES}/{thread.pk}/block").status_code == 403
    assert api(bob, "sell").put(f"{MESSAGES}/{thread.pk}/block").status_code == 404
    assert not Block.objects.exists()
