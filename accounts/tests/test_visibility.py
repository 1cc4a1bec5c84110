"""The hidden sellers' table says what the users and shops say, after every way of changing them: the services,
the admin, a save, a deletion, and (for a raw update around all of these) the periodic check."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import HiddenSeller, Shop, User
from accounts.services import close_for_vacation, deactivate_users, reopen_returned_shops, reopen_shop
from accounts.tasks import check_hidden_sellers_task
from accounts.visibility import check_hidden_sellers, refresh_hidden_sellers
from conftest import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def hidden() -> set[int]:
    return set(HiddenSeller.objects.values_list("user_id", flat=True))


def soon(days: int = 3):
    return timezone.localdate() + timedelta(days=days)


def test_a_new_active_user_and_open_shop_are_not_hidden_and_their_creation_does_not_look():
    with CaptureQueriesContext(connection) as queries:
        user = User.objects.create_user(email="new@example.com", password="a-long-passphrase")
        Shop.objects.create(owner=user, name="New", slug="new", city="Cali", country="CO")
    assert not [query for query in queries.captured_queries if "hiddenseller" in query["sql"]]
    assert hidden() == set()


def test_created_inactive_or_away_they_are_hidden():
    gone = UserFactory(is_active=False)
    away = ShopFactory(away_until=soon()).owner
    assert hidden() == {gone.pk, away.pk}


def test_deactivating_with_the_service_and_reactivating_in_the_admin(client_for, staff, alice):
    assert deactivate_users(User.objects.filter(pk=alice.pk), by=staff) == 1
    assert hidden() == {alice.pk}
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = client_for(staff).get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(is_active="on", date_joined_0=alice.date_joined.date(), date_joined_1="00:00:00")
    data = {key: value for key, value in data.items() if key not in ("groups", "user_permissions", "date_joined")}
    response = client_for(staff).post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=alice.pk).is_active
    assert hidden() == set()


def test_a_save_of_is_active_follows_and_a_login_stamp_does_not_look(alice):
    alice.is_active = False
    alice.save()
    assert hidden() == {alice.pk}
    with CaptureQueriesContext(connection) as queries:
        alice.save(update_fields=["last_login"])
    assert len(queries.captured_queries) == 1
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    assert hidden() == set()


def test_vacation_start_end_and_return_date(alice, bob):
    close_for_vacation(alice.shop, soon())
    close_for_vacation(bob.shop, soon(5))
    assert hidden() == {alice.pk, bob.pk}
    reopen_shop(alice.shop)
    assert hidden() == {bob.pk}
    assert reopen_returned_shops(today=soon(5)) == 1
    assert hidden() == set()


def test_an_inactive_user_stays_hidden_when_their_vacation_ends(alice):
    close_for_vacation(alice.shop, soon())
    alice.is_active = False
    alice.save()
    reopen_shop(alice.shop)
    assert hidden() == {alice.pk}


def test_a_deleted_shop_leaves_its_owner_shown_once_committed(alice, django_capture_on_commit_callbacks):
    close_for_vacation(alice.shop, soon())
    with django_capture_on_commit_callbacks(execute=True):
        Shop.objects.get(owner=alice).delete()
    assert hidden() == set()


def test_deleting_an_inactive_user_with_a_shop_removes_their_row(django_capture_on_commit_callbacks):
    gone = ShopFactory(owner=UserFactory(is_active=False), away_until=soon()).owner
    assert hidden() == {gone.pk}
    with django_capture_on_commit_callbacks(execute=True):
        gone.delete()
    assert hidden() == set()


def test_refresh_writes_what_the_users_and_shops_say(alice, bob, charlie):
    User.objects.filter(pk=alice.pk).update(is_active=False)  # around the services
    Shop.objects.filter(owner=bob).update(away_until=soon())
    HiddenSeller.objects.create(user=charlie)  # a row nothing justifies
    refresh_hidden_sellers([alice.pk, bob.pk, charlie.pk])
    assert hidden() == {alice.pk, bob.pk}


def test_the_periodic_check_corrects_changes_made_around_the_services(alice, bob, charlie, caplog):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    HiddenSeller.objects.create(user=charlie)
    assert check_hidden_sellers() == 2
    assert hidden() == {alice.pk}
    assert check_hidden_sellers() == 0

    Shop.objects.filter(owner=bob).update(away_until=soon())
    with caplog.at_level(logging.WARNING, logger="accounts.tasks"):
        check_hidden_sellers_task.apply()
    assert hidden() == {alice.pk, bob.pk}
    assert "differed from the users and shops in 1 rows" in caplog.text
