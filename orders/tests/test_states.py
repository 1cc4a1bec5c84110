"""The order, payment and refund machines: allowed moves pass, every other move raises."""

import itertools

import pytest

from core.states import IllegalTransition
from orders.models import Order, Payment, Refund
from orders.states import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
)

MACHINES = [
    (Order, OrderStatus, ORDER_TRANSITIONS),
    (Payment, PaymentStatus, PAYMENT_TRANSITIONS),
    (Refund, RefundStatus, REFUND_TRANSITIONS),
]


def every_move(model, statuses, table, allowed: bool):
    for current, new in itertools.product(statuses.values, repeat=2):
        if (new in table[current]) == allowed:
            yield pytest.param(model, current, new, id=f"{model.__name__}:{current}->{new}")


@pytest.mark.parametrize(("model", "current", "new"), [p for m in MACHINES for p in every_move(*m, allowed=False)])
def test_illegal_transition_raises_and_leaves_status(model, current, new):
    instance = model(status=current)
    with pytest.raises(IllegalTransition) as info:
        instance.transition_to(new)
    assert instance.status == current
    assert info.value.current == current and info.value.new == new


@pytest.mark.parametrize(("model", "current", "new"), [p for m in MACHINES for p in every_move(*m, allowed=True)])
def test_allowed_transition_sets_status(model, current, new):
    instance = model(status=current)
    instance.transition_to(new)
    assert instance.status == new


def test_every_status_has_a_row_in_its_table():
    for _model, statuses, table in MACHINES:
        assert set(table) == set(statuses.values)


def test_order_lifecycle_in_words():
    assert ORDER_TRANSITIONS[OrderStatus.PENDING_PAYMENT] == {"paid", "cancelled", "expired"}
    assert ORDER_TRANSITIONS[OrderStatus.PAID] == {"shipped", "cancelled"}
    assert ORDER_TRANSITIONS[OrderStatus.SHIPPED] == {"delivered"}
    for closed in ("delivered", "cancelled", "expired"):
        assert not ORDER_TRANSITIONS[closed]
    assert PAYMENT_TRANSITIONS[PaymentStatus.PENDING] == {"approved", "declined"}
    assert PAYMENT_TRANSITIONS[PaymentStatus.APPROVED] == {"refunded", "partially_refunded"}
