"""Each step emails the other side, in their language, with a link to the claim."""

from accounts.models import User
from claims import services
from orders.models import Order


def test_email_to_the_buyer_in_the_order_language(
    claim, alice, mailoutbox, django_capture_on_commit_callbacks, settings
):
    Order.objects.filter(pk=claim.shipment.order_id).update(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_partial_refund(claim, alice, "4.00")
    [message] = mailoutbox
    assert message.to == ["charlie@example.com"]
    assert claim.shipment.order.number in message.subject
    assert "reembolso parcial" in message.subject.lower()
    assert f"/claims/{claim.pk}/" in message.body
    assert "alice@example.com" not in message.body  # nobody's address is shown to the other side


def test_email_to_the_seller_when_the_buyer_acts(claim, charlie, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(claim, charlie)
    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert "charlie@example.com" not in message.body
    html = message.alternatives[0][0]
    assert f"/claims/{claim.pk}/" in html


def test_email_to_the_seller_in_the_language_they_last_used_the_site_in(
    claim, alice, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    # The order is the buyer's, in English; the seller reads the site in Spanish.
    User.objects.filter(pk=alice.pk).update(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(claim, charlie)
    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert message.subject.startswith(f"Reclamo sobre el pedido {claim.shipment.order.number}")
