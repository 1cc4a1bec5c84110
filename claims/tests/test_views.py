"""The claim pages through the test client: personas, forms, photo checks, query budgets, the order pages."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimPhoto
from claims.states import ClaimStatus
from claims.tests.conftest import ship_days_ago
from conftest import make_upload
from orders.models import GatewayTransaction


def detail_url(claim) -> str:
    return reverse("claims:detail", kwargs={"pk": claim.pk})


def action_url(claim, action: str) -> str:
    return reverse("claims:action", kwargs={"pk": claim.pk, "action": action})


def open_url(shipment) -> str:
    return reverse("claims:open", kwargs={"shipment_id": shipment.pk})


# --- Personas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("charlie", 200), ("alice", 200), ("dave", 404), ("bob", 404), ("staff", 404), (None, 302)],
)
def test_claim_page_personas(request, client, claim, bob_sale, persona, status):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(detail_url(claim))
    assert response.status_code == status
    if status == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("charlie", 200), ("alice", 404), ("dave", 404), ("bob", 404), ("staff", 404), (None, 302)],
)
def test_open_page_personas(request, client, delivered, bob_sale, persona, status):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.get(open_url(delivered)).status_code == status


@pytest.mark.parametrize("persona", ["dave", "bob", "staff"])
def test_outsiders_cannot_act(request, client, claim, bob_sale, persona):
    client.force_login(request.getfixturevalue(persona))
    for action in ("refund", "offer", "accept", "withdraw"):
        assert client.post(action_url(claim, action), {"amount": "1"}).status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_anonymous_post_goes_to_login(client, claim):
    response = client.post(action_url(claim, "refund"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_each_side_is_refused_the_other_sides_actions(client_for, claim, alice, charlie):
    assert client_for(charlie).post(action_url(claim, "refund")).status_code == 404
    assert client_for(alice).post(action_url(claim, "withdraw")).status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_wrong_methods(client_for, claim, charlie):
    client = client_for(charlie)
    assert client.get(action_url(claim, "withdraw")).status_code == 405
    assert client.post(detail_url(claim)).status_code == 405
    assert client.post(action_url(claim, "no-such-action")).status_code == 404
    assert client.get("/claims/not-a-number/").status_code == 404


# --- Opening ----------------------------------------------------------------------


def test_buyer_opens_a_claim_with_photos(
    client_for, delivered, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(charlie)
    photos = [make_upload("a.jpg"), make_upload("b.png", fmt="PNG", content_type="image/png")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            open_url(delivered), {"kind": "not_as_described", "message": "The cover is torn.", "photos": photos}
        )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(claim)
    assert claim.photos.count() == 2
    assert all(photo.image.name.endswith(".jpg") for photo in claim.photos.all())  # re-encoded
    # In the claims' own folder, apart from the listings' photos.
    names = [name for photo in claim.photos.all() for name in (photo.image.name, photo.thumbnail.name)]
    assert len(names) == 4 and all(name.startswith("claims/") for name in names), names
    assert all(photo.image.storage.exists(photo.thumbnail.name) for photo in claim.photos.all())
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    page = client.get(detail_url(claim))
    assert "The cover is torn." in page.content.decode()


def test_a_file_that_is_not_a_photo_is_a_form_error(client_for, delivered, charlie):
    bad = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>" * 20, content_type="image/jpeg")
    response = client_for(charlie).post(
        open_url(delivered), {"kind": "not_as_described", "message": "Torn.", "photos": [bad]}
    )
    assert response.status_code == 400
    assert "evil.jpg" in " ".join(response.context["form"].errors["photos"])
    assert not Claim.objects.exists() and not ClaimPhoto.objects.exists()


def test_at_most_three_photos(client_for, delivered, charlie):
    photos = [make_upload(f"{n}.jpg") for n in range(4)]
    response = client_for(charlie).post(
        open_url(delivered), {"kind": "not_as_described", "message": "Torn.", "photos": photos}
    )
    assert response.status_code == 400 and "photos" in response.context["form"].errors
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"kind": "not_received", "message": "x"}, {"kind": "bogus", "message": "x"}, {"kind": "not_as_described"}],
)
def test_bad_open_form_is_400(client_for, delivered, charlie, data):
    response = client_for(charlie).post(open_url(delivered), data)
    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_too_early_shows_when_and_refuses_a_post(client_for, shipment, charlie):
    client = client_for(charlie)
    page = client.get(open_url(shipment))
    assert page.status_code == 200 and page.context["kinds"] == []
    assert "not received from" in page.content.decode()
    assert client.post(open_url(shipment), {"kind": "not_received", "message": "x"}).status_code == 400


def test_not_received_from_the_page(client_for, shipment, charlie):
    ship_days_ago(shipment, 40)
    response = client_for(charlie).post(open_url(shipment), {"kind": "not_received", "message": "Never came."})
    assert response.status_code == 302
    assert Claim.objects.get().kind == Claim.Kind.NOT_RECEIVED


def test_open_page_leads_to_the_claim_in_progress(client_for, claim, delivered, charlie):
    response = client_for(charlie).get(open_url(delivered))
    assert response.status_code == 302 and response["Location"] == detail_url(claim)


# --- Answering --------------------------------------------------------------------


def test_partial_refund_through_the_pages(
    client_for, client, claim, alice, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    seller = client_for(alice)
    assert seller.post(action_url(claim, "offer"), {"amount": "abc"}).status_code == 400
    assert seller.post(action_url(claim, "offer"), {"amount": "99999"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert seller.post(action_url(claim, "offer"), {"amount": "6.50"}).status_code == 302
    client.logout()
    buyer = client_for(charlie)
    page = buyer.get(detail_url(claim)).content.decode()
    assert action_url(claim, "accept") in page
    with django_capture_on_commit_callbacks(execute=True):
        assert buyer.post(action_url(claim, "accept")).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        again = buyer.post(action_url(claim, "accept"))  # a double submit
    assert again.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUNDED and claim.refund.amount == Decimal("6.50")
    assert GatewayTransaction.objects.filter(kind="refund", succeeded=True).count() == 1
    assert [m.to[0] for m in mailoutbox] == ["charlie@example.com", "alice@example.com"]


def test_stale_page_after_the_claim_moved(client_for, claim, alice, charlie):
    services.withdraw(claim, charlie)
    response = client_for(alice).post(action_url(claim, "refund"))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CLOSED


def test_return_request_needs_an_address(client_for, claim, alice):
    client = client_for(alice)
    assert client.post(action_url(claim, "return"), {"return_address": " "}).status_code == 400
    assert client.post(action_url(claim, "return"), {"return_address": "Calle 80"}).status_code == 302
    assert client.post(action_url(claim, "received")).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUNDED


def test_early_escalation_is_400_with_a_message(client_for, claim, charlie):
    response = client_for(charlie).post(action_url(claim, "escalate"))
    assert response.status_code == 400
    assert "seller has until" in response.content.decode()


# --- The order and sale pages -----------------------------------------------------


def test_order_page_offers_report_a_problem_when_eligible(client_for, shipment, charlie):
    client = client_for(charlie)
    order_url = shipment.order.get_absolute_url()
    assert open_url(shipment) not in client.get(order_url).content.decode()  # on its way, not late yet
    ship_days_ago(shipment, 40)
    assert open_url(shipment) in client.get(order_url).content.decode()


def test_order_and_sale_pages_link_the_claim(client_for, client, claim, alice, charlie):
    page = client_for(charlie).get(claim.shipment.order.get_absolute_url()).content.decode()
    assert detail_url(claim) in page and open_url(claim.shipment) not in page
    client.logout()
    sale = client_for(alice).get(reverse("shipping:sale_detail", kwargs={"pk": claim.shipment_id}))
    assert detail_url(claim) in sale.content.decode()


# --- Query budgets ----------------------------------------------------------------


def test_query_budgets(client_for, client, claim, alice, charlie, django_assert_max_num_queries):
    ClaimPhoto.objects.create(claim=claim, image="claims/a.jpg", thumbnail="claims/a_thumb.jpg")
    buyer = client_for(charlie)
    with django_assert_max_num_queries(7):
        assert buyer.get(detail_url(claim)).status_code == 200
    with django_assert_max_num_queries(11):  # the order page's own budget (orders/tests/test_views_orders.py)
        assert buyer.get(claim.shipment.order.get_absolute_url()).status_code == 200
    client.logout()
    seller = client_for(alice)
    with django_assert_max_num_queries(11):  # and what is left to refund
        assert seller.get(detail_url(claim)).status_code == 200
    with django_assert_max_num_queries(7):  # the sale page's own budget (orders/tests/test_views_sales.py)
        assert seller.get(reverse("shipping:sale_detail", kwargs={"pk": claim.shipment_id})).status_code == 200


def test_claim_page_in_spanish(client_for, claim, charlie):
    page = client_for(charlie).get(detail_url(claim), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f"Reclamo {claim.pk}: No conforme a la descripción" in page
    assert "Esperando al vendedor" in page and "Cronología" in page


def test_sale_list_flags_the_claim_in_progress(client_for, claim, alice, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(8):  # the list's own budget (orders/tests/test_views_sales.py)
        page = client.get(reverse("shipping:sale_list")).content.decode()
    assert detail_url(claim) in page and "Claim in progress" in page
