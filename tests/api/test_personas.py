"""Every write of the buyer, seller and message endpoints, tried by each persona.

The owner succeeds; anonymous is a 401; a token of the owner without the write's scope is a 403; someone else
reaching another's cart line, order, listing, sale or thread is a 404 (a buyer without a shop, on the seller's
endpoints, a 403). Nothing changes on a refusal.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client

from catalog.models import Listing
from conftest import ListingFactory, make_upload
from messaging import services as messaging
from orders.models import CartLine, Order
from orders.services import add_to_cart, get_or_create_cart, pay_order
from orders.tests.conftest import card


@dataclass
class World:
    listing: Listing
    draft: Listing
    paused: Listing
    line: CartLine
    order: Order
    sale_id: int
    thread_id: int
    users: dict = field(default_factory=dict)


@pytest.fixture
def world(alice, bob, charlie, alice_listing, placed_order, charlie_address, choice, categories):
    pay_order(placed_order, card(), "personas-pay-key-0001")
    line = add_to_cart(get_or_create_cart(user=charlie), ListingFactory(seller=alice, quantity=9), 1)
    return World(
        listing=alice_listing,
        draft=ListingFactory(seller=alice, status=Listing.Status.DRAFT, published_at=None),
        paused=ListingFactory(seller=alice, status=Listing.Status.PAUSED),
        line=line,
        order=placed_order,
        sale_id=placed_order.shipments.get(seller=alice).pk,
        thread_id=messaging.ask_about_listing(alice_listing, charlie, "Hello").pk,
        users={"alice": alice, "bob": bob, "charlie": charlie},
    )


@dataclass(frozen=True)
class Write:
    name: str
    method: str
    path: str  # formatted with the world
    body: object = None
    scope: str = "buy"
    owner: str = "charlie"
    owner_status: int = 200
    others: tuple = ()  # (persona, status)
    files: bool = False
    headers: dict = field(default_factory=dict)


BUY, SELL = "buy", "sell"


def alices_carrier(w: World) -> dict:
    alice = w.users["alice"]
    return {str(alice.pk): w.order.shipments.get(seller=alice).carrier_id}


NEW_LISTING = {"title": "T", "authors": "A", "category": "fiction", "condition": "good", "price": "5", "quantity": 1}
WRITES = [
    Write("cart add", "post", "/api/v1/cart/lines", lambda w: {"listing_id": w.listing.pk}, owner_status=201,
          others=(("alice", 409),)),
    Write("cart change", "patch", "/api/v1/cart/lines/{w.line.pk}", {"quantity": 2}, others=(("bob", 404),)),
    Write("cart remove", "delete", "/api/v1/cart/lines/{w.line.pk}", owner_status=204, others=(("bob", 404),)),
    Write("accept prices", "post", "/api/v1/cart/accept-prices"),
    Write("place order", "post", "/api/v1/orders",
          lambda w: {"address_id": w.users["charlie"].addresses.get().pk, "carriers": alices_carrier(w)},
          owner_status=201, others=(("bob", 422),), headers={"Idempotency-Key": "personas-key-0001"}),
    Write("cancel order", "post", "/api/v1/orders/{w.order.number}/cancel", others=(("bob", 404), ("alice", 404))),
    Write("create listing", "post", "/api/v1/sell/listings", NEW_LISTING, SELL, "alice", 201,
          others=(("charlie", 403),)),
    Write("change listing", "patch", "/api/v1/sell/listings/{w.listing.pk}", {"price": "7.00"}, SELL, "alice",
          others=(("bob", 404), ("charlie", 403))),
    Write("pause", "post", "/api/v1/sell/listings/{w.listing.pk}/pause", None, SELL, "alice",
          others=(("bob", 404),)),
    Write("resume", "post", "/api/v1/sell/listings/{w.paused.pk}/resume", None, SELL, "alice",
          others=(("bob", 404),)),
    Write("publish", "post", "/api/v1/sell/listings/{w.draft.pk}/publish", None, SELL, "alice",
          others=(("bob", 404),)),
    Write("delete listing", "delete", "/api/v1/sell/listings/{w.draft.pk}", None, SELL, "alice", 204,
          others=(("bob", 404), ("charlie", 403))),
    Write("photos", "post", "/api/v1/sell/listings/{w.listing.pk}/photos", None, SELL, "alice", 201,
          others=(("bob", 404),), files=True),
    Write("bulk upsert", "post", "/api/v1/sell/listings/bulk",
          {"items": [{"sku": "P-1", "title": "T", "author": "A", "category": "fiction", "condition": "good",
                      "price": "5", "quantity": 1}]}, SELL, "alice", others=(("charlie", 403),)),
    Write("mark shipped", "post", "/api/v1/sell/sales/{w.sale_id}/ship", {}, SELL, "alice",
          others=(("bob", 404), ("charlie", 403))),
    Write("ask seller", "post", "/api/v1/messages", lambda w: {"listing_id": w.listing.pk, "body": "Hi"},
          owner="bob", owner_status=201, others=(("alice", 409),)),
    Write("reply", "post", "/api/v1/messages/{w.thread_id}/messages", {"body": "Hi"}, owner_status=201,
          others=(("bob", 404),)),
]  # fmt: skip


def send(client: Client, write: Write, w: World, headers: dict):
    path = write.path.format(w=w)
    headers = {**write.headers, **headers}
    if write.files:
        return client.post(path, {"photos": [make_upload()]}, headers=headers)
    body = write.body(w) if callable(write.body) else write.body
    if body is None:
        return getattr(client, write.method)(path, headers=headers)
    return getattr(client, write.method)(path, body, content_type="application/json", headers=headers)


def snapshot() -> tuple:
    return (
        list(Listing.objects.order_by("pk").values_list("pk", "status", "price", "quantity")),
        list(CartLine.objects.order_by("pk").values_list("pk", "quantity")),
        list(Order.objects.order_by("pk").values_list("pk", "status")),
        list(Order.objects.values_list("shipments__status", flat=True).order_by("shipments__pk")),
        messaging.Message.objects.count(),
    )


def bearer(token_for, user, *scopes) -> dict:
    return {"Authorization": f"Bearer {token_for(user, *scopes)}"}


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_the_owner_succeeds(client, token_for, world, write):
    response = send(client, write, world, bearer(token_for, world.users[write.owner], write.scope))
    assert response.status_code == write.owner_status, response.content


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_anonymous_is_a_401(client, world, write):
    before = snapshot()
    response = send(client, write, world, {})
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot() == before


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_a_token_without_the_scope_is_a_403(client, token_for, world, write):
    before = snapshot()
    other_scopes = [s for s in ("read", "buy", "sell") if s != write.scope]
    response = send(client, write, world, bearer(token_for, world.users[write.owner], *other_scopes))
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "missing_scope"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("write", "persona", "status"),
    [(w, persona, status) for w in WRITES for persona, status in w.others],
    ids=[f"{w.name}-{persona}" for w in WRITES for persona, _status in w.others],
)
def test_someone_else_is_refused(client, token_for, world, write, persona, status):
    before = snapshot()
    response = send(client, write, world, bearer(token_for, world.users[persona], write.scope))
    assert response.status_code == status, response.content
    assert snapshot() == before


def test_the_sites_session_has_every_scope_but_needs_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["charlie"])
    path = "/api/v1/cart/lines"
    refused = browser.post(path, {"listing_id": world.listing.pk}, content_type="application/json")
    assert refused.status_code == 403
    browser.get("/")  # the page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        path, {"listing_id": world.listing.pk}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201, response.content
