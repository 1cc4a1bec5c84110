"""Opening a shop and listing a book need a confirmed email address; the page that says so resends the link.

(The checkout's side of the same gate is in orders/tests/test_checkout_email_gate.py.)
"""

from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from accounts.models import Shop
from accounts.tests.conftest import assert_in_layout, last_email_link
from bookstore.tests.test_settings import run_with_env
from catalog.models import Listing
from conftest import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

SHOP = reverse("accounts:shop_edit")
NEW_LISTING = reverse("sell:listing_create")
RESEND = reverse("accounts:resend_confirmation")
SHOP_DATA = {"name": "Dora's Den", "about": "", "city": "Cali", "region": "", "country": "CO"}
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


@pytest.fixture
def dora(db):
    """Signed up, address not confirmed yet."""
    user = UserFactory(email="dora@example.com", first_name="Dora", email_verified=False)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_verification_is_mandatory_unless_configured_otherwise():
    probe = (
        "import django; from django.conf import settings; django.setup(); print(settings.ACCOUNT_EMAIL_VERIFICATION)"
    )
    result = run_with_env({}, code=probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "mandatory"


def test_opening_a_shop_unconfirmed_shows_what_to_do_and_opens_nothing(client_for, dora):
    client = client_for(dora)
    html = assert_in_layout(client.get(SHOP))
    assert "Confirm your email address to open your shop" in html
    assert "dora@example.com" in html
    assert f'action="{RESEND}"' in html and 'name="next" value="/sell/shop/"' in html
    assert "Send me a new link" in html
    assert reverse("account_email") in html  # a wrong address can be changed
    assert 'name="name"' not in html  # not the shop form

    response = client.post(SHOP, SHOP_DATA)
    assert response.status_code == 200
    assert "Confirm your email address to open your shop" in response.content.decode()
    assert not Shop.objects.filter(owner=dora).exists()


def test_the_page_speaks_spanish(client_for, dora):
    html = client_for(dora).get(SHOP, **SPANISH).content.decode()
    assert "Confirma tu correo electrónico para abrir tu tienda" in html
    assert "Envíame un enlace nuevo" in html
    assert "Cambia tu correo electrónico" in html
    assert "Send me a new link" not in html


def test_listing_a_book_unconfirmed_shows_what_to_do_and_lists_nothing(client_for, dora):
    ShopFactory(owner=dora)  # opened before confirmation was asked for
    client = client_for(dora)
    html = assert_in_layout(client.get(NEW_LISTING))
    assert "Confirm your email address to list a book" in html
    response = client.post(NEW_LISTING, {"title": "Anything", "price": "5.00", "quantity": "1", "action": "publish"})
    assert response.status_code == 200
    assert "Confirm your email address to list a book" in response.content.decode()
    assert not Listing.objects.filter(seller=dora).exists()


def test_a_confirmed_user_opens_a_shop_as_before(client_for, charlie):
    client = client_for(charlie)
    assert 'name="name"' in client.get(SHOP).content.decode()
    assert client.post(SHOP, SHOP_DATA).status_code == 302
    assert Shop.objects.filter(owner=charlie, name="Dora's Den").exists()


def test_an_existing_shop_can_still_be_edited_unconfirmed(client_for, dora):
    ShopFactory(owner=dora, name="Old Name")
    response = client_for(dora).post(SHOP, {**SHOP_DATA, "name": "New Name"})
    assert response.status_code == 302
    assert Shop.objects.get(owner=dora).name == "New Name"


def test_no_verification_at_all_gates_nothing(client_for, dora, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    assert 'name="name"' in client_for(dora).get(SHOP).content.decode()


# --- Sending the link again, and coming back --------------------------------------------------------------------


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_resend_mails_a_link_and_goes_back_to_the_page(client_for, dora):
    client = client_for(dora)
    response = client.post(RESEND, {"next": SHOP})
    assert response.status_code == 302 and response.url == SHOP
    [message] = mail.outbox
    assert message.to == ["dora@example.com"]
    assert "Confirmation email sent to dora@example.com." in message_texts(response)
    assert last_email_link(r"/accounts/confirm-email/")


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_asking_again_at_once_sends_nothing_more_and_says_why(client_for, dora):
    client = client_for(dora)
    client.post(RESEND, {"next": SHOP})
    response = client.post(RESEND, {"next": SHOP})
    assert response.status_code == 302 and response.url == SHOP
    assert len(mail.outbox) == 1
    assert any("a moment ago" in text for text in message_texts(response))


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_following_the_link_confirms_and_returns_to_opening_the_shop(client_for, dora):
    client = client_for(dora)
    client.get(SHOP)  # stopped here
    client.post(RESEND, {"next": SHOP})
    link = urlparse(last_email_link(r"/accounts/confirm-email/")).path
    response = client.post(link)
    assert response.status_code == 302 and response.url == SHOP
    assert EmailAddress.objects.get(user=dora).verified
    assert 'name="name"' in client.get(SHOP).content.decode()
    assert client.post(SHOP, SHOP_DATA).status_code == 302
    assert Shop.objects.filter(owner=dora).exists()


# allauth's emails leave through the job outbox after a real commit.
@pytest.mark.django_db(transaction=True)
def test_a_user_without_an_address_row_gets_one_and_a_link(client_for, db):
    # Made in the admin or by createsuperuser: allauth never saw the address.
    user = UserFactory(email="frank@example.com", email_verified=False)
    client = client_for(user)
    assert "Confirm your email address" in client.get(SHOP).content.decode()
    client.post(RESEND, {"next": SHOP})
    address = EmailAddress.objects.get(user=user)
    assert address.email == "frank@example.com" and address.primary and not address.verified
    assert mail.outbox[-1].to == ["frank@example.com"]


def test_resend_when_already_confirmed_sends_nothing(client_for, charlie):
    response = client_for(charlie).post(RESEND, {"next": SHOP})
    assert response.status_code == 302 and response.url == SHOP
    assert mail.outbox == []
    assert "Your email address is already confirmed." in message_texts(response)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", ""])
def test_resend_goes_back_only_to_a_page_of_this_site(client_for, dora, target):
    response = client_for(dora).post(RESEND, {"next": target})
    assert response.status_code == 302 and response.url == reverse("accounts:profile")


def test_resend_needs_a_signed_in_user_and_a_post(client, client_for, dora):
    response = client.post(RESEND, {"next": SHOP})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert client_for(dora).get(RESEND).status_code == 405
    assert mail.outbox == []
