"""Claims in the back office: list with filters, the record with its timeline and photos, the staff decision."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Claim, ClaimPhoto
from claims.states import ClaimStatus
from orders.models import GatewayTransaction
from orders.tests.conftest import assert_admin_pages_render


@pytest.fixture
def escalated(claim, alice, charlie):
    services.offer_partial_refund(claim, alice, "3")
    services.decline_offer(claim, charlie, "Too little")
    claim.refresh_from_db()
    return claim


def decide_url(claim) -> str:
    return reverse("admin:claims_claim_decide", args=[claim.pk])


def test_admin_pages_render(client_for, staff, escalated, django_assert_max_num_queries):
    ClaimPhoto.objects.create(claim=escalated, image="claims/a.jpg", thumbnail="claims/a_thumb.jpg")
    client = client_for(staff)
    assert_admin_pages_render(client, Claim, 12, 20, django_assert_max_num_queries)
    page = client.get(reverse("admin:claims_claim_change", args=[escalated.pk])).content.decode()
    assert decide_url(escalated) in page and "Too little" in page and "a_thumb.jpg" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [("status__exact=escalated", 1), ("status__exact=open", 0), ("kind__exact=not_received", 0), ("overdue=no", 1)],
)
def test_list_filters(client_for, staff, escalated, query, expected):
    response = client_for(staff).get(reverse("admin:claims_claim_changelist") + "?" + query)
    assert response.status_code == 200 and response.context["cl"].result_count == expected


def test_overdue_filter(client_for, staff, claim):
    client = client_for(staff)
    url = reverse("admin:claims_claim_changelist")
    assert client.get(url + "?overdue=yes").context["cl"].result_count == 0
    Claim.objects.filter(pk=claim.pk).update(seller_deadline=timezone.now())
    assert client.get(url + "?overdue=yes").context["cl"].result_count == 1


def test_staff_refund_partial(client_for, staff, escalated, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(staff)
    assert client.get(decide_url(escalated)).status_code == 200
    too_much = client.post(decide_url(escalated), {"decision": "refund", "amount": "100000"})
    assert too_much.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(escalated), {"decision": "refund", "amount": "8.00", "reason": "Fair"})
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.status == ClaimStatus.REFUNDED and escalated.refund.amount == Decimal("8.00")
    assert GatewayTransaction.objects.filter(kind="refund", succeeded=True).count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "charlie@example.com"]
    # Decided: a second decision is refused.
    assert client.post(decide_url(escalated), {"decision": "close", "reason": "x"}).status_code == 400
    escalated.refresh_from_db()
    assert escalated.status == ClaimStatus.REFUNDED


def test_staff_close_needs_a_reason(client_for, staff, escalated):
    client = client_for(staff)
    assert client.post(decide_url(escalated), {"decision": "close", "reason": ""}).status_code == 400
    assert client.post(decide_url(escalated), {"decision": "bogus"}).status_code == 400
    assert client.post(decide_url(escalated), {"decision": "close", "reason": "As described"}).status_code == 302
    escalated.refresh_from_db()
    assert escalated.status == ClaimStatus.CLOSED and escalated.resolution == "As described"


def test_decide_page_refused_to_non_staff(client_for, alice, escalated):
    response = client_for(alice).get(decide_url(escalated))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_decision_on_a_claim_not_escalated(client_for, staff, claim):
    response = client_for(staff).post(decide_url(claim), {"decision": "close", "reason": "x"})
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN
