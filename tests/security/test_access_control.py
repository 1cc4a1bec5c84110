"""Access control: every private URL, tried by people who do not own what it reaches.

Anonymous visitors are sent to the login page; a signed-in outsider (another buyer, another seller) gets 404,
exactly as for an id that does not exist (a buyer without a shop is sent to open one first); the admin
refuses anyone who is not staff. In every case no row changes. The owner's own request works, which shows
that each URL in the list is real (a mistyped one would 404 for everybody and prove nothing).
"""

import pytest

from tests.security.conftest import ADMIN_ROUTES, ROUTES, database_state, send

OUTSIDERS = ["anonymous", "another buyer", "another seller"]
# Pages without an id: a signed-in person only ever sees their own there.
PAGES_WITHOUT_ID = {"inventory", "sales", "shop page", "profile", "orders"}
# Anonymous visitors have carts too: someone else's cart line is a 404 for them, not a login.
ANONYMOUS_MAY_USE = {"cart line", "cart line remove"}


def owners_secrets(scene, owner: str) -> list[str]:
    if owner == "alice":
        return ["The Name of the Rose", "Draft Book", "Paused Book", "Alice&#x27;s Attic", "Alice's Attic"]
    return [scene.order.number, scene.address.line1, "Charlie"]


def sign_in_outsider(client, scene, outsider: str) -> None:
    if outsider == "another buyer":
        client.force_login(scene.dave)
    elif outsider == "another seller":
        # bob sells and is even part of charlie's order (his own parcel): still an outsider to the rest.
        client.force_login(scene.bob)


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.name}")
def test_outsiders_cannot_reach_or_change_what_is_not_theirs(client, scene, route, outsider):
    sign_in_outsider(client, scene, outsider)
    before = database_state()
    response = send(client, route, scene)
    after = database_state()

    if outsider == "anonymous" and route.name in ANONYMOUS_MAY_USE:
        assert response.status_code == 404
    elif outsider == "anonymous":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/?next=")
    elif route.name in PAGES_WITHOUT_ID:
        # Another seller sees their own inventory, a buyer is asked to open a shop: nothing of the owner's.
        assert response.status_code in (200, 302)
        body = response.content.decode()
        for secret in owners_secrets(scene, route.owner):
            assert secret not in body
    elif outsider == "another buyer" and route.owner == "alice" and response.status_code == 302:
        assert response["Location"] == "/sell/shop/"  # sent to open a shop before any seller page
    else:
        assert response.status_code == 404, (response.status_code, response.get("Location"))
    assert after == before, f"{route.method} {route.name} changed the database for {outsider}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.name}")
def test_the_owner_reaches_each_route(client, scene, route):
    client.force_login(getattr(scene, route.owner))
    response = send(client, route, scene)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert not response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["anonymous", "buyer", "seller", "inactive staff"])
@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: f"{r.method} {r.name}")
def test_the_admin_refuses_everyone_but_active_staff(client, scene, route, who):
    if who == "buyer":
        client.force_login(scene.charlie)
    elif who == "seller":
        client.force_login(scene.alice)
    elif who == "inactive staff":
        client.force_login(scene.staff)
        type(scene.staff).objects.filter(pk=scene.staff.pk).update(is_active=False)
    before = database_state()
    response = send(client, route, scene)
    after = database_state()

    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        # To the admin's sign-in, which sends anonymous visitors to allauth's and refuses signed-in non-staff.
        assert response["Location"].startswith(("/admin/login/", "/accounts/login/"))
        follow = client.get(response["Location"])
        assert follow.status_code in (302, 403)
        if follow.status_code == 302:
            assert follow["Location"].startswith("/accounts/login/")
    assert after == before


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: f"{r.method} {r.name}")
def test_staff_reach_each_admin_route(client, scene, route):
    client.force_login(scene.staff)
    response = send(client, route, scene)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert not response["Location"].startswith(("/admin/login/", "/accounts/login/"))


def test_a_buyer_cannot_ship_to_or_see_someone_elses_address(client, scene):
    """Addresses are chosen by id at checkout: another person's id is refused and never shown."""
    client.force_login(scene.dave)
    assert client.get(f"/checkout/?address={scene.address.pk}").status_code in (302, 404)
