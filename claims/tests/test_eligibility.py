"""When each kind of claim may be opened: "not received" after the expected date plus the grace days, "not as
described" within 30 days of delivery; one claim in progress per parcel."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from claims.eligibility import eligible_kinds, expected_delivery_date, not_received_from
from claims.errors import ClaimError
from claims.models import Claim
from claims.services import open_claim, withdraw
from claims.tests.conftest import deliver, ship_days_ago
from shipping.services import add_business_days

NOT_RECEIVED = Claim.Kind.NOT_RECEIVED
NOT_AS_DESCRIBED = Claim.Kind.NOT_AS_DESCRIBED


def test_business_days_skip_weekends():
    friday = datetime.date(2026, 12, 4)
    assert add_business_days(friday, 1) == datetime.date(2026, 12, 7)
    assert add_business_days(friday, 5) == datetime.date(2026, 12, 11)


def test_not_received_opens_grace_days_after_the_expected_date(shipment, settings):
    settings.CLAIM_NOT_RECEIVED_GRACE_DAYS = 3
    expected = expected_delivery_date(shipment)
    first_day = not_received_from(shipment)
    assert first_day == expected + timedelta(days=3)
    day_before = timezone.make_aware(datetime.datetime.combine(first_day - timedelta(days=1), datetime.time(12)))
    on_the_day = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time(0, 1)))
    assert NOT_RECEIVED not in eligible_kinds(shipment, day_before)
    assert eligible_kinds(shipment, on_the_day) == [NOT_RECEIVED]


def test_not_received_follows_the_grace_setting(shipment, settings):
    shipment = ship_days_ago(shipment, 30)
    settings.CLAIM_NOT_RECEIVED_GRACE_DAYS = 3
    assert NOT_RECEIVED in eligible_kinds(shipment)
    settings.CLAIM_NOT_RECEIVED_GRACE_DAYS = 60
    assert NOT_RECEIVED not in eligible_kinds(shipment)


def test_not_received_is_refused_too_early_with_the_first_day(shipment, charlie):
    with pytest.raises(ClaimError) as error:
        open_claim(shipment, charlie, NOT_RECEIVED, "Where is it?")
    assert error.value.code == "not_eligible"
    assert str(not_received_from(shipment)) in str(error.value.message)


def test_not_received_opens_late_and_not_after_delivery(shipment, charlie):
    late = ship_days_ago(shipment, 40)
    claim = open_claim(late, charlie, NOT_RECEIVED, "It never came.")
    assert claim.status == Claim.Status.OPEN
    withdraw(claim, charlie)
    delivered = deliver(late)
    with pytest.raises(ClaimError, match="delivered"):
        open_claim(delivered, charlie, NOT_RECEIVED, "It never came.")


def test_not_received_needs_a_shipped_parcel(paid_order, charlie):
    ready = paid_order.shipments.get()
    assert eligible_kinds(ready) == []
    with pytest.raises(ClaimError):
        open_claim(ready, charlie, NOT_RECEIVED, "Nothing yet")


def test_not_as_described_within_thirty_days_of_delivery(shipment, charlie):
    assert NOT_AS_DESCRIBED not in eligible_kinds(shipment)  # not delivered yet
    assert eligible_kinds(deliver(shipment, days_ago=29.9)) == [NOT_AS_DESCRIBED]
    too_late = deliver(shipment, days_ago=30.1)
    assert eligible_kinds(too_late) == []
    with pytest.raises(ClaimError) as error:
        open_claim(too_late, charlie, NOT_AS_DESCRIBED, "Wrong edition")
    assert error.value.code == "not_eligible"


def test_one_claim_in_progress_per_parcel(claim, delivered, charlie):
    with pytest.raises(ClaimError) as error:
        open_claim(delivered, charlie, NOT_AS_DESCRIBED, "Again")
    assert error.value.code == "claim_in_progress"
    withdraw(claim, charlie)
    assert open_claim(delivered, charlie, NOT_AS_DESCRIBED, "A new problem").pk != claim.pk


def test_only_the_buyer_opens_a_claim(delivered, alice, dave):
    for user in (alice, dave):
        with pytest.raises(ClaimError) as error:
            open_claim(delivered, user, NOT_AS_DESCRIBED, "Mine?")
        assert error.value.code == "not_allowed"


@pytest.mark.parametrize("message", ["", "   ", "x" * 2001])
def test_message_is_required_and_bounded(delivered, charlie, message):
    with pytest.raises(ClaimError) as error:
        open_claim(delivered, charlie, NOT_AS_DESCRIBED, message)
    assert error.value.code == "invalid_message"


def test_a_parcel_without_a_shipping_date_is_not_claimable_as_lost(shipment):
    from orders.models import Shipment

    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=None)
    shipment.refresh_from_db()
    assert eligible_kinds(shipment) == []
