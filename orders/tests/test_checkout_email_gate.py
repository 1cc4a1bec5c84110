"""Checking out needs a confirmed email address: the order's emails go there, with links to the public site.

A visitor fills a cart without an account; signing up sends the link, and following it signs them in and brings
them back to the checkout with their cart.
"""

import re
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from catalog.models import Listing
from orders.models import Order
from orders.tests.test_journeys import ADDRESS, checkout_post

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")
RESEND = reverse("accounts:resend_confirmation")
SITE = "https://books.example.test"
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture(autouse=True)
def _mandatory_verification_and_a_public_site(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.SITE_URL = SITE


def unconfirm(user) -> None:
    EmailAddress.objects.filter(user=user).update(verified=False)


def email_links(message) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", message.body + "".join(part for part, _ in message.alternatives))


def confirmation_path(mailoutbox) -> str:
    [link] = [link for link in email_links(mailoutbox[-1]) if "/accounts/confirm-email/" in link]
    assert link.startswith(f"{SITE}/accounts/confirm-email/")
    return urlparse(link).path


def test_an_unconfirmed_buyer_sees_what_to_do_instead_of_the_checkout(client_for, charlie, charlie_cart):
    unconfirm(charlie)
    response = client_for(charlie).get(CHECKOUT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm your email address to check out" in html
    assert "Your order confirmation, payment receipt and shipping updates go to this address." in html
    assert "Your cart stays as it is meanwhile." in html
    assert f'action="{RESEND}"' in html and f'name="next" value="{CHECKOUT}"' in html
    assert "Place order" not in html


def test_placing_an_order_unconfirmed_places_nothing(
    client_for, charlie, charlie_cart, charlie_address, carriers, alice_listing, bob_listing
):
    client = client_for(charlie)
    page = client.get(CHECKOUT)
    unconfirm(charlie)
    response = client.post(CHECKOUT, checkout_post(page))
    assert response.status_code == 200
    assert "Confirm your email address to check out" in response.content.decode()
    assert not Order.objects.exists()
    assert [Listing.objects.get(pk=listing.pk).quantity for listing in (alice_listing, bob_listing)] == [3, 3]


def test_a_confirmed_buyer_checks_out_as_before(client_for, charlie, charlie_cart, charlie_address, carriers):
    client = client_for(charlie)
    page = client.get(CHECKOUT)
    assert "Place order" in page.content.decode()
    assert client.post(CHECKOUT, checkout_post(page)).status_code == 302
    assert Order.objects.filter(buyer=charlie).exists()


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_resending_then_following_the_link_returns_to_the_checkout_which_then_works(
    client_for, charlie, charlie_cart, charlie_address, carriers, mailoutbox, django_capture_on_commit_callbacks
):
    unconfirm(charlie)
    client = client_for(charlie)
    client.get(CHECKOUT)
    response = client.post(RESEND, {"next": CHECKOUT})
    assert response.status_code == 302 and response.url == CHECKOUT
    assert mailoutbox[-1].to == [charlie.email]

    response = client.post(confirmation_path(mailoutbox))
    assert response.status_code == 302 and response.url == CHECKOUT
    page = client.get(CHECKOUT)
    assert "Place order" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post(CHECKOUT, checkout_post(page))
    order = Order.objects.get(buyer=charlie)
    assert placed["Location"] == reverse("orders:pay", args=[order.number])


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_a_visitor_fills_a_cart_signs_up_confirms_and_checks_out(
    client, alice_listing, carriers, mailoutbox, django_capture_on_commit_callbacks
):
    client.post(reverse("orders:cart_add", args=[alice_listing.pk]), {"quantity": 2})
    login = client.get(CHECKOUT)
    assert login.status_code == 302 and login["Location"].startswith(reverse("account_login"))

    signup = client.post(
        f"{reverse('account_signup')}?next={CHECKOUT}",
        {"email": "gina@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signup.status_code == 302 and signup["Location"] == reverse("account_email_verification_sent")
    assert SESSION_KEY not in client.session

    confirmed = client.post(confirmation_path(mailoutbox))
    gina = User.objects.get(email="gina@example.com")
    assert client.session[SESSION_KEY] == str(gina.pk)
    assert confirmed.status_code == 302 and confirmed["Location"] == CHECKOUT

    saved = client.post(CHECKOUT, {"action": "address", **ADDRESS})
    assert saved.status_code == 302
    page = client.get(saved["Location"])
    assert page.context["preview"].summary.groups[0].item_count == 2  # the cart filled before signing up
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHECKOUT, checkout_post(page))
    order = Order.objects.get(buyer=gina)

    # The order's email leads to the public site, not to the host the request named.
    [placed] = [message for message in mailoutbox if order.number in message.subject]
    links = email_links(placed)
    assert f"{SITE}/orders/{order.number}/pay/" in links
    assert all(link.startswith(f"{SITE}/") for link in links), links
    assert "testserver" not in placed.body
