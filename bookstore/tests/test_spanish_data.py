"""Every page a buyer or a seller works on, in Spanish, shows none of the English names the data carries.

catalog/tests/test_translated_data.py walks the catalogue's pages; this walks the rest: the book page, checkout,
orders, sales, earnings, shipping settings, the import page, feedback, claims, messages and wants. The English
names looked for are every choice label of every model of the project (condition grades, bindings, languages,
order, shipment, claim and ledger states, ...), the shelves' names, the countries of the scene and the carriers'
delivery times, wherever their Spanish differs.
"""

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_countries import countries
from django_countries.fields import CountryField

from catalog.models import Book, Listing
from catalog.tests.test_translated_data import LANGUAGE_MENU, STRUCTURED_DATA, shelves, shown  # noqa: F401
from claims.services.opening import open_claim
from claims.states import ClaimKind
from conftest import ListingFactory
from feedback.services import leave_feedback
from messaging.services import ask_about_listing
from orders.services import add_to_cart, get_or_create_cart, new_checkout_token, pay_order, place_order
from orders.services.shipments import advance_shipments, mark_shipped
from orders.tests.conftest import AddressFactory, card, carriers  # noqa: F401 - a fixture
from shipping.models import Carrier
from wants.models import Want

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("accounts", "catalog", "claims", "feedback", "jobs", "messaging", "orders", "shipping", "wants")
SCENE_COUNTRIES = ("CO", "US", "MX")


def english_names() -> dict[str, str]:
    """English name -> where it comes from, for every name of the data whose Spanish differs."""
    found: dict[str, str] = {}

    def add(source: str, read) -> None:
        """``read()`` gives (key, name) pairs; a name is English when its Spanish, under the same key, differs."""
        with translation.override("en"):
            english = {key: str(text) for key, text in read()}
        with translation.override("es"):
            spanish = {key: str(text) for key, text in read()}
        for key, en in english.items():
            if en != spanish[key]:
                found.setdefault(en, source)

    for app_label in PROJECT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.get_fields():
                # Country fields list every country: the scene's own are below.
                if getattr(field, "choices", None) and not isinstance(field, CountryField):
                    add(f"{model.__name__}.{field.name}", lambda field=field: field.flatchoices)
    category = apps.get_model("catalog", "Category")
    add("Category.name", lambda: [(shelf.pk, shelf.name) for shelf in category.objects.all()])
    add("countries", lambda: [(code, countries.name(code)) for code in SCENE_COUNTRIES])
    add("delivery times", lambda: [(carrier.pk, carrier.delivery_time) for carrier in Carrier.objects.all()])
    return found


def visit(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Language"] == "es", url
    return STRUCTURED_DATA.sub("", LANGUAGE_MENU.sub("", response.content.decode()))


def spanish_client(user) -> Client:
    client = Client(headers={"accept-language": "es"})
    client.force_login(user)
    return client


def bought(buyer, listing, carrier, key: str, address):
    cart = get_or_create_cart(user=buyer)
    add_to_cart(cart, listing, 1)
    order = place_order(buyer, cart, address, {listing.seller_id: carrier.pk}, new_checkout_token())
    pay_order(order, card(), key)
    return order


@pytest.fixture
def scene(shelves, carriers, alice, bob, charlie, django_capture_on_commit_callbacks):  # noqa: F811
    """Charlie bought a book of alice's that was delivered, rated and claimed about; asked about another, bought
    it and waits for it; wants a third; has bob's book in his cart. Every book is of a shelf with a Spanish name."""
    # The personas' last names ("Buyer", "Seller") are the claims' English role names: Spanish people here.
    for person, last_name in ((alice, "Salas"), (bob, "Bernal"), (charlie, "Pérez")):
        person.last_name = last_name
        person.save(update_fields=["last_name"])
    address = AddressFactory(user=charlie, full_name="Carlos Pérez", country="CO")

    def copy(seller, title, index):
        return ListingFactory(
            seller=seller,
            book__title=title,
            book__authors="Ana Torres",
            book__description="Un ejemplar cuidado.",
            book__category=shelves[index],
            book__language=Book.Language.SPANISH,
            book__binding=Book.Binding.PAPERBACK,
            condition=Listing.Condition.VERY_GOOD,
            quantity=3,
        )

    delivered_copy, waiting_copy = copy(alice, "Cuaderno uno", 0), copy(alice, "Cuaderno dos", 1)
    bobs_copy = copy(bob, "Cuaderno tres", 2)
    with django_capture_on_commit_callbacks(execute=True):
        delivered = bought(charlie, delivered_copy, carriers["ENVIA"], "spanish-data-key-0001", address)
        shipment = delivered.shipments.get()
        mark_shipped(shipment, alice)
        for _ in range(3):
            advance_shipments(push_all=True)
        shipment.refresh_from_db()
        feedback = leave_feedback(shipment, charlie, 4, "Bien empacado.")
        claim = open_claim(shipment, charlie, ClaimKind.NOT_AS_DESCRIBED, "La tapa está rota.")
        thread = ask_about_listing(waiting_copy, charlie, "¿El lomo está agrietado?")
        waiting = bought(charlie, waiting_copy, carriers["SERVI"], "spanish-data-key-0002", address)
    Want.objects.create(
        user=charlie,
        title="cuaderno",
        min_condition=Listing.Condition.GOOD,
        language=Book.Language.SPANISH,
        binding=Book.Binding.PAPERBACK,
        country="CO",
    )
    add_to_cart(get_or_create_cart(user=charlie), bobs_copy, 1)
    return {
        "listing": delivered_copy,
        "delivered": delivered,
        "waiting": waiting,
        "sale": waiting.shipments.get(),
        "delivered_part": shipment,
        "feedback": feedback,
        "claim": claim,
        "thread": thread,
    }


def buyer_pages(scene) -> dict[str, str]:
    listing = scene["listing"]
    return {
        "book": reverse("catalog:book", args=[listing.book_id]),
        "copies": "/books/?view=copies",
        "shop feedback": reverse("feedback:shop", args=[listing.seller.shop.slug]),
        "cart": reverse("orders:cart"),
        "checkout": reverse("orders:checkout"),
        "orders": reverse("orders:order_list"),
        "delivered order": scene["delivered"].get_absolute_url(),
        "waiting order": scene["waiting"].get_absolute_url(),
        "claim (buyer)": reverse("claims:detail", args=[scene["claim"].pk]),
        "messages (buyer)": reverse("messaging:inbox"),
        "thread (buyer)": reverse("messaging:thread", args=[scene["thread"].pk]),
        "wants": reverse("wants:list"),
        "new want": reverse("wants:new"),
        "profile": reverse("accounts:profile"),
    }


def seller_pages(scene) -> dict[str, str]:
    return {
        "sales": reverse("shipping:sale_list"),
        "sale to ship": reverse("shipping:sale_detail", args=[scene["sale"].pk]),
        "delivered sale": reverse("shipping:sale_detail", args=[scene["delivered_part"].pk]),
        "packing slip": reverse("shipping:packing_slip", args=[scene["sale"].pk]),
        "earnings": reverse("shipping:earnings"),
        "shipping settings": reverse("shop_shipping:settings"),
        "import": reverse("sell:import"),
        "feedback (seller)": reverse("feedback:seller_list"),
        "claim (seller)": reverse("claims:detail", args=[scene["claim"].pk]),
        "messages (seller)": reverse("messaging:inbox"),
        "thread (seller)": reverse("messaging:thread", args=[scene["thread"].pk]),
        "vacation": reverse("accounts:vacation"),
        "sales export": reverse("shipping:sales_export"),
    }


def test_every_buyer_and_seller_page_in_spanish_shows_no_english_data(scene, alice, charlie):
    english = english_names()
    # The walk would prove nothing if the names it looks for were missing.
    assert {"Very Good", "Paperback", "Spanish", "Delivered", "Not as described"} <= set(english)
    buyer, seller = spanish_client(charlie), spanish_client(alice)
    pages = {name: visit(buyer, url) for name, url in buyer_pages(scene).items()}
    pages |= {name: visit(seller, url) for name, url in seller_pages(scene).items()}
    leaks = {
        name: sorted(f"{text} ({english[text]})" for text in english if shown(text, page))
        for name, page in pages.items()
    }
    leaked = {name: found for name, found in leaks.items() if found}
    assert not leaked, "\n".join(f"{name}: {found}" for name, found in leaked.items())

    # And the Spanish names are there instead.
    with translation.override("es"):
        very_good, paperback = str(Listing.Condition.VERY_GOOD.label), str(Book.Binding.PAPERBACK.label)
        delivered = scene["delivered_part"].get_status_display()
        delivery_time = scene["sale"].carrier.delivery_time
    assert shown(very_good, pages["book"]) and shown(paperback, pages["book"])
    assert shown(delivered, pages["delivered order"]) and shown(delivered, pages["delivered sale"])
    assert shown(very_good, pages["wants"]) or shown(str(Listing.Condition.GOOD.label), pages["wants"])
    assert re.search(r"días hábiles", pages["checkout"]), delivery_time
