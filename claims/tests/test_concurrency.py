"""Real races on MariaDB: two requests deciding one claim at once move the money once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from claims import services
from claims.errors import ClaimError
from claims.models import ClaimEvent
from claims.states import ClaimStatus
from conftest import mysql_only
from core.states import IllegalTransition
from orders.models import GatewayTransaction, Payment, Refund

pytestmark = [mysql_only, pytest.mark.mysql, pytest.mark.django_db(transaction=True)]

THREAD_TIMEOUT = 30


def run_together(jobs) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes = [""] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            job()
            outcomes[index] = "ok"
        except (ClaimError, IllegalTransition) as exc:
            outcomes[index] = type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - a deadlock or anything else fails the test
            outcomes[index] = f"ERROR {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def succeeded_refunds() -> list[Decimal]:
    return list(
        GatewayTransaction.objects.filter(kind=GatewayTransaction.Kind.REFUND, succeeded=True).values_list(
            "amount", flat=True
        )
    )


def test_partial_refund_accepted_twice_at_once_refunds_once(claim, alice, charlie):
    services.offer_partial_refund(claim, alice, Decimal("7.25"))
    outcomes = run_together([lambda: services.accept_offer(claim, charlie)] * 4)
    assert outcomes == ["ok"] * 4, outcomes  # replays of one decision
    assert Refund.objects.count() == 1
    assert succeeded_refunds() == [Decimal("7.25")]
    assert Payment.objects.get().refunded_amount == Decimal("7.25")
    assert ClaimEvent.objects.filter(action=ClaimEvent.Action.OFFER_ACCEPTED).count() == 1


def test_seller_refund_races_buyer_withdrawal(claim, alice, charlie):
    outcomes = run_together([lambda: services.refund_in_full(claim, alice), lambda: services.withdraw(claim, charlie)])
    assert sorted(outcomes) == ["IllegalTransition", "ok"], outcomes
    claim.refresh_from_db()
    assert claim.status in (ClaimStatus.REFUNDED, ClaimStatus.CLOSED)
    assert len(succeeded_refunds()) == (1 if claim.status == ClaimStatus.REFUNDED else 0)


def test_staff_and_deadline_job_and_replayed_job(claim, staff):
    later = timezone.now() + timedelta(days=10)
    outcomes = run_together([lambda: services.escalate_overdue_claims(later)] * 3)
    assert outcomes == ["ok"] * 3, outcomes
    assert ClaimEvent.objects.filter(action=ClaimEvent.Action.ESCALATED_OVERDUE).count() == 1
    services.staff_refund(claim, staff, Decimal("5.00"))
    outcomes = run_together([lambda: services.process_claim_refund(claim.pk)] * 3)
    assert outcomes == ["ok"] * 3, outcomes
    assert succeeded_refunds() == [Decimal("5.00")]
