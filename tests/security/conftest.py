"""A small marketplace with something to protect, and the list of every URL that reads or changes it.

alice sells (an active listing with two photos, a draft and a paused one); bob sells too; charlie bought from
both (paid, so alice's parcel is ready to ship), has a saved address and a line in his cart. dave is another
buyer with nothing. ROUTES names each private URL, its owner, and what a legitimate request would send.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from catalog.models import Listing
from catalog.services.photos import add_photos
from conftest import ListingFactory, UserFactory, make_upload
from orders.models import Shipment
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.tests.conftest import card
from tests.conftest import AddressFactory

# Every table a request could change. Sessions and last_login are left out: signing in writes them.
WATCHED_MODELS = [
    "accounts.Shop",
    "catalog.Book",
    "catalog.Listing",
    "catalog.ListingPhoto",
    "catalog.Report",
    "orders.Cart",
    "orders.CartLine",
    "orders.Address",
    "orders.Order",
    "orders.OrderLine",
    "orders.Payment",
    "orders.Refund",
    "orders.Shipment",
    "orders.ShipmentEvent",
]


def database_state() -> dict[str, list[dict]]:
    """Every row of the watched tables, to compare before and after a request."""
    state = {}
    for label in WATCHED_MODELS:
        model = apps.get_model(label)
        state[label] = list(model.objects.order_by("pk").values())
    users = apps.get_model("accounts.User").objects.order_by("pk")
    state["accounts.User"] = list(users.values("pk", "email", "is_active", "is_staff", "first_name", "last_name"))
    return state


@dataclass
class Scene:
    alice: Any
    bob: Any
    charlie: Any
    dave: Any
    staff: Any
    active: Listing
    draft: Listing
    paused: Listing
    photo: Any
    bob_listing: Listing
    order: Any
    alice_shipment: Shipment
    cart_line: Any
    address: Any
    extra: dict = field(default_factory=dict)


@pytest.fixture
def scene(alice, bob, charlie, staff, carriers) -> Scene:
    dave = UserFactory(email="dave@example.com", first_name="Dave", last_name="Buyer")
    active = ListingFactory(seller=alice, book__title="The Name of the Rose", quantity=5)
    draft = ListingFactory(seller=alice, book__title="Draft Book", status=Listing.Status.DRAFT, published_at=None)
    paused = ListingFactory(seller=alice, book__title="Paused Book", status=Listing.Status.PAUSED)
    photo, _second = add_photos(active, [make_upload("front.jpg"), make_upload("back.jpg")])
    bob_listing = ListingFactory(seller=bob, book__title="Dune", price=Decimal("9.99"), quantity=5)
    address = AddressFactory(user=charlie)
    cart = get_or_create_cart(user=charlie)
    add_to_cart(cart, active, 1)
    add_to_cart(cart, bob_listing, 1)
    choice = {alice.pk: carriers["SERVI"].pk, bob.pk: carriers["FEDEX"].pk}
    order = place_order(charlie, cart, address, choice, new_checkout_token())
    pay_order(order, card(), "security-scene-payment")
    order.refresh_from_db()
    line = add_to_cart(cart, bob_listing, 2)
    return Scene(
        alice=alice,
        bob=bob,
        charlie=charlie,
        dave=dave,
        staff=staff,
        active=active,
        draft=draft,
        paused=paused,
        photo=photo,
        bob_listing=bob_listing,
        order=order,
        alice_shipment=Shipment.objects.get(order=order, seller=alice),
        cart_line=line,
        address=address,
    )


@dataclass(frozen=True)
class Route:
    """A private URL: who owns what it reaches, and a request the owner could legitimately make."""

    name: str
    method: str
    owner: str  # "alice", "charlie" or "staff"
    path: Any  # scene -> str
    data: Any = None  # scene -> dict (POST body)

    def url(self, scene: Scene) -> str:
        return self.path(scene)

    def body(self, scene: Scene) -> dict:
        return self.data(scene) if self.data else {}


ROUTES = [
    # The seller's inventory (catalog/sell_urls.py).
    Route("inventory", "GET", "alice", lambda s: "/sell/"),
    Route("listing edit page", "GET", "alice", lambda s: f"/sell/listings/{s.active.pk}/edit/"),
    Route(
        "listing edit",
        "POST",
        "alice",
        lambda s: f"/sell/listings/{s.active.pk}/edit/",
        lambda s: {
            "title": "Pwned",
            "authors": "Mallory",
            "language": "en",
            "binding": "paperback",
            "category": s.active.book.category_id,
            "condition": "good",
            "price": "0.01",
            "quantity": "999",
            "action": "save",
        },
    ),
    Route("listing photos page", "GET", "alice", lambda s: f"/sell/listings/{s.active.pk}/photos/"),
    Route(
        "photo upload",
        "POST",
        "alice",
        lambda s: f"/sell/listings/{s.active.pk}/photos/",
        lambda s: {"photos": make_upload("extra.jpg")},
    ),
    Route(
        "photo move",
        "POST",
        "alice",
        lambda s: f"/sell/listings/{s.active.pk}/photos/{s.photo.pk}/move/",
        lambda s: {"direction": "down"},
    ),
    Route("photo delete", "POST", "alice", lambda s: f"/sell/listings/{s.active.pk}/photos/{s.photo.pk}/delete/"),
    Route("publish", "POST", "alice", lambda s: f"/sell/listings/{s.draft.pk}/publish/"),
    Route("pause", "POST", "alice", lambda s: f"/sell/listings/{s.active.pk}/pause/"),
    Route("resume", "POST", "alice", lambda s: f"/sell/listings/{s.paused.pk}/resume/"),
    Route("delete", "POST", "alice", lambda s: f"/sell/listings/{s.draft.pk}/delete/", lambda s: {"confirm": "yes"}),
    # The seller's sales (shipping/urls.py).
    Route("sales", "GET", "alice", lambda s: "/sell/sales/"),
    Route("sale detail", "GET", "alice", lambda s: f"/sell/sales/{s.alice_shipment.pk}/"),
    Route("mark shipped", "POST", "alice", lambda s: f"/sell/sales/{s.alice_shipment.pk}/ship/"),
    # The seller's shop and the person's profile (accounts/urls.py).
    Route("shop page", "GET", "alice", lambda s: "/sell/shop/"),
    Route("profile", "GET", "charlie", lambda s: "/accounts/profile/"),
    # The buyer's orders (orders/urls.py).
    Route("orders", "GET", "charlie", lambda s: "/orders/"),
    Route("order detail", "GET", "charlie", lambda s: f"/orders/{s.order.number}/"),
    Route("order detail by id", "GET", "charlie", lambda s: f"/orders/{s.order.pk}/"),
    Route("pay page", "GET", "charlie", lambda s: f"/orders/{s.order.number}/pay/"),
    Route(
        "pay",
        "POST",
        "charlie",
        lambda s: f"/orders/{s.order.number}/pay/",
        lambda s: {
            "idempotency_key": "outsider-attempt-0001",
            "name": "Mallory",
            "number": "4242 4242 4242 4242",
            "exp_month": "12",
            "exp_year": "2035",
            "cvc": "123",
        },
    ),
    Route("cancel order", "POST", "charlie", lambda s: f"/orders/{s.order.number}/cancel/"),
    Route(
        "cancel a seller's part",
        "POST",
        "charlie",
        lambda s: f"/orders/{s.order.number}/parts/{s.alice_shipment.pk}/cancel/",
    ),
    Route(
        "cart line",
        "POST",
        "charlie",
        lambda s: f"/cart/lines/{s.cart_line.pk}/",
        lambda s: {"action": "update", "quantity": "3"},
    ),
    Route(
        "cart line remove",
        "POST",
        "charlie",
        lambda s: f"/cart/lines/{s.cart_line.pk}/",
        lambda s: {"action": "remove"},
    ),
    Route("checkout with an address", "GET", "charlie", lambda s: f"/checkout/?address={s.address.pk}"),
]

ADMIN_ROUTES = [
    Route("admin index", "GET", "staff", lambda s: "/admin/"),
    Route("admin listings", "GET", "staff", lambda s: "/admin/catalog/listing/"),
    Route("admin listing", "GET", "staff", lambda s: f"/admin/catalog/listing/{s.active.pk}/change/"),
    Route("admin orders", "GET", "staff", lambda s: "/admin/orders/order/"),
    Route("admin order", "GET", "staff", lambda s: f"/admin/orders/order/{s.order.pk}/change/"),
    Route("admin users", "GET", "staff", lambda s: "/admin/accounts/user/"),
    Route("admin payments", "GET", "staff", lambda s: "/admin/orders/payment/"),
    Route("admin shipments", "GET", "staff", lambda s: "/admin/orders/shipment/"),
    Route("admin reports", "GET", "staff", lambda s: "/admin/catalog/report/"),
    Route(
        "admin hide action",
        "POST",
        "staff",
        lambda s: "/admin/catalog/listing/",
        lambda s: {"action": "hide_selected", "_selected_action": [s.active.pk], "reason": "Outsider", "index": 0},
    ),
    Route(
        "admin deactivate user",
        "POST",
        "staff",
        lambda s: "/admin/accounts/user/",
        lambda s: {"action": "deactivate_selected", "_selected_action": [s.alice.pk], "index": 0},
    ),
    Route(
        "admin make staff",
        "POST",
        "staff",
        lambda s: f"/admin/accounts/user/{s.dave.pk}/change/",
        lambda s: {"email": "dave@example.com", "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    ),
]


def send(client, route: Route, scene: Scene):
    if route.method == "GET":
        return client.get(route.url(scene))
    return client.post(route.url(scene), route.body(scene))
