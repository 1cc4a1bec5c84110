"""The back office for accounts: who gets in, how they sign in, users and shops."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import Shop, User
from catalog.models import Listing
from conftest import PASSWORD, ListingFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


# --- Who gets in ------------------------------------------------------------


def test_anonymous_is_sent_to_allauth_login(client):
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?{urlencode({'next': ADMIN})}"
    assert response.status_code == 200
    assert 'class="navbar-brand' in response.content.decode()  # our login page, not Django's


def test_signed_in_non_staff_gets_no_admin(client_for, charlie):
    client = client_for(charlie)
    response = client.get(ADMIN, follow=True)
    assert response.status_code == 403
    assert "Site administration" not in response.content.decode()
    response = client.get(reverse("admin:accounts_user_changelist"), follow=True)
    assert response.status_code == 403
    assert "charlie@example.com" not in response.content.decode()


def test_staff_signs_in_to_the_admin_through_allauth(client, staff):
    response = client.post(
        f"{reverse('account_login')}?next={ADMIN}", {"login": "staff@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == ADMIN
    assert "Site administration" in client.get(ADMIN).content.decode()


def test_admin_login_is_rate_limited_by_email(client, staff):
    """Five failed attempts for one email: the sixth is refused even with the right password."""
    login_url = f"{reverse('account_login')}?next={ADMIN}"
    for _attempt in range(5):
        response = client.post(login_url, {"login": "staff@example.com", "password": "guess"})
        assert response.status_code == 400
        assert "The email address and/or password you specified are not correct." in response.content.decode()

    response = client.post(login_url, {"login": "staff@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(ADMIN).status_code == 302


def test_deactivated_staff_loses_the_admin_at_once(client_for):
    other_staff = UserFactory(email="mod@example.com", is_staff=True)
    client = client_for(other_staff)
    assert client.get(ADMIN).status_code == 200
    User.objects.filter(pk=other_staff.pk).update(is_active=False)
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "Site administration" not in response.content.decode()


# --- Users ------------------------------------------------------------------


def test_user_changelist_within_query_budget(client_for, staff, django_assert_max_num_queries):
    for n in range(12):
        user = UserFactory(email=f"reader{n}@example.com")
        if n % 2:
            ShopFactory(owner=user)
    client = client_for(staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "reader11@example.com" in html
    assert "has shop" in html.lower()


def test_user_changelist_filters_and_search(client_for, staff, alice, charlie):
    client = client_for(staff)
    html = client.get(reverse("admin:accounts_user_changelist"), {"has_shop": "no"}).content.decode()
    assert "charlie@example.com" in html
    assert "alice@example.com" not in html
    html = client.get(reverse("admin:accounts_user_changelist"), {"q": "Buyer"}).content.decode()
    assert "charlie@example.com" in html
    assert "alice@example.com" not in html


def test_user_change_and_add_forms_render(client_for, staff, alice, django_assert_max_num_queries):
    client = client_for(staff)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "alice@example.com" in html
    assert reverse("admin:accounts_shop_change", args=[alice.shop.pk]) in html
    assert 'name="username"' not in html

    response = client.get(reverse("admin:accounts_user_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'name="password1"' in html
    assert 'name="username"' not in html


def test_staff_adds_a_user_with_email_and_password(client_for, staff):
    response = client_for(staff).post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Reader@Example.com", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.reader@example.com")
    assert user.check_password(PASSWORD)
    assert not user.is_staff


def test_adding_a_user_with_a_taken_email_is_a_form_error(client_for, staff, charlie):
    response = client_for(staff).post(
        reverse("admin:accounts_user_add"),
        {"email": "CHARLIE@example.com", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "A user with this email address already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="charlie@example.com").count() == 1


def deactivate(client, users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_selected", "_selected_action": [u.pk for u in users], "index": 0},
        follow=True,
    )


def test_deactivate_action_takes_users_and_their_listings_out(client, client_for, staff, alice, charlie):
    listing = ListingFactory(seller=alice)
    assert Listing.objects.visible().filter(pk=listing.pk).exists()

    response = deactivate(client_for(staff), [alice, charlie])
    assert response.status_code == 200
    assert "2 users were deactivated" in response.content.decode()
    assert not User.objects.get(pk=alice.pk).is_active
    assert not User.objects.get(pk=charlie.pk).is_active
    assert not Listing.objects.visible().filter(pk=listing.pk).exists()

    client.logout()
    response = client.post(reverse("account_login"), {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    assert SESSION_KEY not in client.session


def test_deactivate_action_refuses_self_and_superusers(client_for, staff, charlie):
    boss = UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    response = deactivate(client_for(staff), [staff, boss, charlie])
    html = response.content.decode()
    assert "1 user was deactivated" in html
    assert "you cannot deactivate yourself or a superuser" in html
    assert "staff@example.com" in html
    assert User.objects.get(pk=staff.pk).is_active
    assert User.objects.get(pk=boss.pk).is_active
    assert not User.objects.get(pk=charlie.pk).is_active


def test_deactivate_only_self_changes_nothing(client_for, staff):
    response = deactivate(client_for(staff), [staff])
    assert "you cannot deactivate yourself" in response.content.decode()
    assert User.objects.get(pk=staff.pk).is_active


def test_a_deactivated_users_session_stops_working(client_for, staff, charlie):
    charlie_client = client_for(charlie)
    assert charlie_client.get(reverse("accounts:profile")).status_code == 200
    from accounts.services import deactivate_users

    deactivate_users(User.objects.filter(pk=charlie.pk), by=staff)
    response = charlie_client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- Shops ------------------------------------------------------------------


def test_shop_changelist_and_forms_render_within_budget(client_for, staff, alice, bob, django_assert_max_num_queries):
    for _n in range(10):
        ShopFactory()
    client = client_for(staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("admin:accounts_shop_changelist"))
    assert response.status_code == 200
    assert "Alice&#x27;s Attic" in response.content.decode()
    with django_assert_max_num_queries(6):
        response = client.get(reverse("admin:accounts_shop_change", args=[alice.shop.pk]))
    assert response.status_code == 200
    assert client.get(reverse("admin:accounts_shop_add")).status_code == 200
    html = client.get(reverse("admin:accounts_shop_changelist"), {"q": "bob@example.com"}).content.decode()
    assert "Bob&#x27;s Books" in html
    assert "Alice&#x27;s Attic" not in html


def test_admin_shop_rename_goes_through_the_service(client_for, staff, alice):
    shop = alice.shop
    response = client_for(staff).post(
        reverse("admin:accounts_shop_change", args=[shop.pk]),
        {"name": "Attic Two", "about": "", "city": "Bogotá", "region": "", "country": "CO"},
    )
    assert response.status_code == 302
    shop.refresh_from_db()
    assert (shop.name, shop.slug, shop.owner) == ("Attic Two", "attic-two", alice)


def test_admin_shop_shows_its_former_slugs_read_only(client_for, staff, alice, django_assert_max_num_queries):
    client = client_for(staff)
    url = reverse("admin:accounts_shop_change", args=[alice.shop.pk])
    fields = {"about": "", "city": "Bogotá", "region": "", "country": "CO"}
    assert client.post(url, {"name": "Attic Two", **fields}).status_code == 302
    assert client.post(url, {"name": "Attic Three", **fields}).status_code == 302

    with django_assert_max_num_queries(6):
        response = client.get(url)
    html = response.content.decode()
    assert "Former slugs" in html
    assert html.index("attic-two (") < html.index("alices-attic (")  # newest first
    assert 'name="former_slug_list"' not in html  # shown, not editable

    # A staff post cannot edit or forge them.
    client.post(url, {"name": "Attic Three", **fields, "former_slug_list": "hijack"})
    assert sorted(alice.shop.former_slugs.values_list("slug", flat=True)) == ["alices-attic", "attic-two"]
    assert "Former slugs" not in client.get(reverse("admin:accounts_shop_add")).content.decode()


def test_admin_shop_name_unique_ignoring_case(client_for, staff, alice, bob):
    response = client_for(staff).post(
        reverse("admin:accounts_shop_change", args=[bob.shop.pk]),
        {"name": "ALICE'S ATTIC", "about": "", "city": "Austin", "region": "", "country": "US"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Shop.objects.get(owner=bob).name == "Bob's Books"


def test_admin_opens_a_shop_for_a_user(client_for, staff, charlie):
    response = client_for(staff).post(
        reverse("admin:accounts_shop_add"),
        {"owner": charlie.pk, "name": "Charlie Reads", "about": "", "city": "Sevilla", "region": "", "country": "ES"},
    )
    assert response.status_code == 302
    shop = Shop.objects.get(owner=charlie)
    assert shop.slug == "charlie-reads"
