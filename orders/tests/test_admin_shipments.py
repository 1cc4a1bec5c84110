"""Back office for shipments: read-only pages with their lines and timelines."""

from django.urls import reverse

from orders.models import Shipment
from orders.services.shipments import mark_shipped
from orders.tests.conftest import assert_admin_pages_render


def test_pages_render_for_staff(client_for, staff, shipped_order, django_assert_max_num_queries):
    assert_admin_pages_render(client_for(staff), Shipment, 9, 8, django_assert_max_num_queries)


def test_shipment_page_shows_lines_and_timeline_read_only(client_for, staff, shipped_order, alice):
    shipment = shipped_order.shipments.get(seller=alice)
    html = client_for(staff).get(reverse("admin:orders_shipment_change", args=[shipment.pk])).content.decode()
    assert shipment.tracking_number in html and "The Name of the Rose" in html
    assert "In transit" in html
    assert "The seller handed the parcel to Servientrega." in html
    spanish = client_for(staff).get(
        reverse("admin:orders_shipment_change", args=[shipment.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "El vendedor entregó el paquete a Servientrega." in spanish.content.decode()
    assert 'name="status"' not in html


def test_the_timelines_places_name_their_country_in_the_staff_members_language(client_for, staff, shipped_order, bob):
    shipment = shipped_order.shipments.get(seller=bob)
    mark_shipped(shipment, bob)
    url = reverse("admin:orders_shipment_change", args=[shipment.pk])
    english = client_for(staff).get(url).content.decode()
    assert "Austin, United States of America" in english and "Estados Unidos" not in english
    spanish = client_for(staff).get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Austin, Estados Unidos" in spanish and "United States" not in spanish


def test_shipments_cannot_be_added_or_deleted(client_for, staff, shipped_order):
    client = client_for(staff)
    shipment = shipped_order.shipments.first()
    assert client.get(reverse("admin:orders_shipment_add")).status_code == 403
    assert client.get(reverse("admin:orders_shipment_delete", args=[shipment.pk])).status_code == 403
