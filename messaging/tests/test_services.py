from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from conftest import ListingFactory
from messaging.models import Message, Participant, Thread
from messaging.services import (
    MessagingError,
    ask_about_listing,
    block_buyer,
    mark_read,
    post_message,
    unblock_buyer,
    unread_total,
    write_about_shipment,
)


def test_a_question_starts_one_thread_per_listing_and_buyer(question, charlie, alice, alice_listing):
    again = ask_about_listing(alice_listing, charlie, "And the dust jacket?")
    assert again.pk == question.pk
    assert Thread.objects.count() == 1
    assert question.buyer == charlie and question.seller == alice and question.title == alice_listing.book.title
    assert Message.objects.filter(thread=question).count() == 2
    assert unread_total(alice) == 2
    assert unread_total(charlie) == 0


def test_reading_clears_the_unread_count(question, alice):
    assert unread_total(alice) == 1
    mark_read(question, alice)
    assert unread_total(alice) == 0
    assert Participant.objects.get(thread=question, user=alice).last_read_at is not None


def test_the_seller_cannot_ask_about_their_own_listing(alice, alice_listing):
    with pytest.raises(MessagingError) as exc:
        ask_about_listing(alice_listing, alice, "hello")
    assert exc.value.code == "own_listing"


def test_empty_and_too_long_messages_are_refused(charlie, alice_listing):
    for body, code in [("   ", "empty"), ("x" * 2001, "too_long")]:
        with pytest.raises(MessagingError) as exc:
            ask_about_listing(alice_listing, charlie, body)
        assert exc.value.code == code
    assert not Thread.objects.exists()


def test_outsiders_cannot_post(question, bob):
    with pytest.raises(MessagingError) as exc:
        post_message(question, bob, "hi")
    assert exc.value.code == "not_party"


def test_daily_limit_on_new_threads(settings, charlie):
    settings.MESSAGING_MAX_NEW_THREADS_PER_DAY = 2
    listings = [ListingFactory() for _ in range(3)]
    ask_about_listing(listings[0], charlie, "one")
    ask_about_listing(listings[1], charlie, "two")
    with pytest.raises(MessagingError) as exc:
        ask_about_listing(listings[2], charlie, "three")
    assert exc.value.code == "too_many_threads"
    # Writing in a thread already started is not limited.
    ask_about_listing(listings[0], charlie, "one more")
    # A day later the quota is back.
    Thread.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    ask_about_listing(listings[2], charlie, "three")


def test_a_blocked_buyer_cannot_write_until_unblocked(question, alice, charlie, alice_listing):
    block_buyer(question, alice)
    with pytest.raises(MessagingError) as exc:
        post_message(question, charlie, "hello?")
    assert exc.value.code == "blocked"
    other = ListingFactory(seller=alice)
    with pytest.raises(MessagingError):
        ask_about_listing(other, charlie, "and this one?")
    post_message(question, alice, "The seller may still write.")
    unblock_buyer(question, alice)
    post_message(question, charlie, "Thanks")


def test_only_the_seller_blocks(question, charlie):
    with pytest.raises(MessagingError):
        block_buyer(question, charlie)


def test_shipment_thread_between_buyer_and_that_seller(placed_order, charlie, alice, bob):
    shipment = placed_order.shipments.get(seller=alice)
    thread = write_about_shipment(shipment, alice, "I ship tomorrow.")
    assert (thread.buyer, thread.seller, thread.shipment) == (charlie, alice, shipment)
    assert write_about_shipment(shipment, charlie, "Thanks!").pk == thread.pk
    with pytest.raises(MessagingError) as exc:
        write_about_shipment(shipment, bob, "not mine")
    assert exc.value.code == "not_party"


@pytest.mark.django_db(transaction=True)
def test_one_email_per_thread_and_recipient_per_quarter_hour(charlie, alice, alice_listing, settings):
    settings.SITE_URL = "https://books.example"
    thread = ask_about_listing(alice_listing, charlie, "First question")
    post_message(thread, charlie, "Second question")
    to_alice = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(to_alice) == 1
    assert "First question" in to_alice[0].body
    assert f"https://books.example/messages/{thread.pk}/" in to_alice[0].body
    assert charlie.email not in to_alice[0].body

    Participant.objects.filter(thread=thread, user=alice).update(
        notified_at=timezone.now() - timedelta(minutes=15, seconds=1)
    )
    post_message(thread, charlie, "Third question")
    to_alice = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(to_alice) == 2
    assert "Third question" in to_alice[1].body

    # The answer reaches charlie: his own quarter hour is separate.
    post_message(thread, alice, "Answer")
    assert [m.to for m in mail.outbox].count([charlie.email]) == 1


def test_each_side_is_written_to_in_the_language_they_last_used_the_site_in(
    charlie, alice, alice_listing, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=alice.pk).update(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask_about_listing(alice_listing, charlie, "Is the cover torn?")
    [to_alice] = [m for m in mail.outbox if m.to == [alice.email]]
    assert to_alice.subject.startswith("Nuevo mensaje de ")
    with django_capture_on_commit_callbacks(execute=True):
        post_message(thread, alice, "No, it is fine.")
    [to_charlie] = [m for m in mail.outbox if m.to == [charlie.email]]
    assert to_charlie.subject.startswith("New message from ")
