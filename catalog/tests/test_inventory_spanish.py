"""The inventory's new words in Spanish."""

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import ListingFactory

pytestmark = pytest.mark.django_db


def test_the_inventory_and_the_preview_speak_spanish(client_for, alice):
    listing = ListingFactory(seller=alice)
    client = client_for(alice)
    client.cookies["django_language"] = "es"
    with translation.override("es"):
        html = client.get(reverse("sell:inventory"), {"sort": "nonsense"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert "Busca en tus publicaciones" in html and "Cambiar varias publicaciones a la vez" in html
        assert "Ese orden no existe" in html
        data = {"action": "price_percent", "percent": "10", "scope": "selected", "ids": [listing.pk]}
        preview = client.post(reverse("sell:inventory_bulk"), data, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert "Revisa el cambio" in preview and "Cambiar los precios" in preview
