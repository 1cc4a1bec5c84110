"""Sellers' earnings: the append-only ledger, its balances, payouts, and the sales of a period.

The ledger is written by the services at the moment money moves, inside their transactions:

- a payment succeeds (``record_charge``): per seller's shipment, a ``sale`` entry (items + shipping) and a
  ``fee`` entry (minus the lines' fees fixed at checkout): :func:`record_sales`;
- a refund succeeds (``process_refund``, the one place every refund passes): per shipment it names, a
  ``refund`` entry and the matching share of the fee given back: :func:`record_refund`, once per refund;
- staff send a payout (admin): a ``payout`` entry, never more than the available balance: :func:`send_payout`.

Entries are never changed. Whether one is pending or available is not stored but read from its shipment
when balances are summed: an entry about a shipment is available once that shipment was delivered at least
``EARNINGS_HOLD_DAYS`` ago, pending until then (not yet delivered, cancelled, or inside the hold); an entry
about no shipment (a payout, an adjustment) counts at once. So delivery releases money without writing or
updating an entry, the carrier simulator needs to know nothing of the ledger, and a shipment that is never
delivered (a cancelled one: its sale and refund cancel out) never releases anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import tablib
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.money import ZERO, to_cents
from orders.errors import PayoutError
from orders.models import LedgerEntry, Order, OrderLine, Payout, Refund, Shipment
from orders.states import ShipmentStatus

Kind = LedgerEntry.Kind

# --- Writing the ledger (inside the callers' transactions) -------------------------


def sale_amounts(items_total: Decimal, fees_total: Decimal, shipping_cost: Decimal) -> tuple[Decimal, Decimal]:
    """What one shipment's sale enters in its seller's ledger: (sale, fee), in cents. The sale is its books and its
    shipping; the fee, its lines' fees. The sale page shows the same figures."""
    return to_cents(items_total + shipping_cost), to_cents(fees_total)


def record_sales(order: Order, shipments: Iterable[Shipment]) -> list[LedgerEntry]:
    """Enter the sale of each of ``shipments`` (the parts of ``order`` its payment just released).

    Call inside the transaction that marks the order paid, which holds its row lock and happens once per
    order. Per shipment: ``sale`` = its lines' totals + its shipping cost; ``fee`` = minus its lines' fees.
    """
    shipments = list(shipments)
    if not shipments:
        return []
    items: dict[int, Decimal] = defaultdict(lambda: ZERO)
    fees: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for shipment_id, line_total, fee in OrderLine.objects.filter(shipment__in=shipments).values_list(
        "shipment_id", "line_total", "fee"
    ):
        items[shipment_id] += line_total
        fees[shipment_id] += fee
    entries = []
    for shipment in shipments:
        gross, fee = sale_amounts(items[shipment.pk], fees[shipment.pk], shipment.shipping_cost)
        if gross > 0:
            entries.append(
                LedgerEntry(
                    seller_id=shipment.seller_id,
                    kind=Kind.SALE,
                    amount=gross,
                    shipment=shipment,
                    description=order.number,
                )
            )
        if fee > 0:
            entries.append(
                LedgerEntry(
                    seller_id=shipment.seller_id,
                    kind=Kind.FEE,
                    amount=-fee,
                    shipment=shipment,
                    description=order.number,
                )
            )
    return LedgerEntry.objects.bulk_create(entries)


def record_refund(refund: Refund) -> list[LedgerEntry]:
    """Enter a refund that just succeeded against the sellers' parts it names (``refund.shipments``).

    Call inside ``process_refund``'s transaction, which holds the order's and the refund's row locks, right
    after the refund became succeeded. Once per refund: a second call writes nothing, and the unique
    constraint ``ledger_refund_once`` stops a second writer.

    The amount is spread over the named shipments in primary-key order, each taking at most what is left of
    its sale (sale entries minus refunds already entered). Each shipment also gets back its share of the fee
    in proportion to how much of the sale is now refunded (all of it when fully refunded), rounded by the
    fee rule. A refund naming no shipment is money that was never a seller's (a payment that came after the
    order stopped awaiting it): nothing is entered.
    """
    if LedgerEntry.objects.filter(refund=refund).exists():
        return []
    shipments = list(refund.shipments.order_by("pk"))
    if not shipments:
        return []
    sums: dict[tuple[int, str, bool], Decimal] = defaultdict(lambda: ZERO)
    for shipment_id, kind, refund_id, total in (
        LedgerEntry.objects.filter(shipment__in=shipments)
        .values_list("shipment_id", "kind", "refund_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        sums[(shipment_id, kind, refund_id is not None)] += to_cents(total)
    left = to_cents(refund.amount)
    entries = []
    for shipment in shipments:
        sold = sums[(shipment.pk, Kind.SALE, False)]
        refunded_before = -sums[(shipment.pk, Kind.REFUND, True)]
        take = min(left, sold - refunded_before)
        if take <= 0:
            continue
        left -= take
        entries.append(
            LedgerEntry(
                seller_id=shipment.seller_id,
                kind=Kind.REFUND,
                amount=-take,
                shipment=shipment,
                refund=refund,
                description=refund.reason[:255],
            )
        )
        fee_charged = -sums[(shipment.pk, Kind.FEE, False)]
        fee_returned_before = sums[(shipment.pk, Kind.FEE, True)]
        refunded_now = refunded_before + take
        fee_due_back = fee_charged if refunded_now >= sold else to_cents(fee_charged * refunded_now / sold)
        fee_back = min(fee_due_back, fee_charged) - fee_returned_before
        if fee_back > 0:
            entries.append(
                LedgerEntry(
                    seller_id=shipment.seller_id,
                    kind=Kind.FEE,
                    amount=fee_back,
                    shipment=shipment,
                    refund=refund,
                    description=refund.reason[:255],
                )
            )
    return LedgerEntry.objects.bulk_create(entries)


def send_payout(seller: User, amount, by: User | None, reference: str = "") -> Payout:
    """Record that staff (``by``) sent ``amount`` to ``seller``, and take it off their available balance.

    One transaction; the seller's user row is locked so two payouts at once cannot both spend the same
    balance (no order row is held meanwhile, so this takes no part in the orders' lock order).
    Raises PayoutError: ``invalid_amount``, ``over_available``.
    """
    try:
        amount = to_cents(amount)
    except (TypeError, ValueError, ArithmeticError):
        raise PayoutError(_("Enter an amount of money."), code="invalid_amount") from None
    if amount <= 0:
        raise PayoutError(_("A payout must be more than zero."), code="invalid_amount")
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=seller.pk)
        available = balances(seller).available
        if amount > available:
            raise PayoutError(
                _("A payout can be at most the available balance (%(available)s).") % {"available": available},
                code="over_available",
            )
        payout = Payout.objects.create(seller=seller, amount=amount, reference=reference[:100], created_by=by)
        LedgerEntry.objects.create(
            seller=seller, kind=Kind.PAYOUT, amount=-amount, payout=payout, description=reference[:255]
        )
    return payout


# --- Reading it --------------------------------------------------------------------


@dataclass(frozen=True)
class Balances:
    """A seller's money as sums of their entries. ``pending + available`` is everything still theirs."""

    pending: Decimal
    available: Decimal
    paid_out: Decimal  # positive: what payouts took
    sales: Decimal
    fees: Decimal  # positive: fees charged minus fees given back
    refunds: Decimal  # positive
    adjustments: Decimal = ZERO  # signed, as staff wrote them

    @property
    def total(self) -> Decimal:
        return self.pending + self.available

    @property
    def earned(self) -> Decimal:
        """Everything the seller ever earned: sales less fees and refunds, with any adjustment. It equals
        ``pending + available + paid_out``, which the earnings page shows."""
        return self.sales - self.fees - self.refunds + self.adjustments


def released_q(now: datetime) -> Q:
    """Entries whose money is available at ``now``: about no shipment, or one delivered before the hold."""
    hold_start = now - timedelta(days=settings.EARNINGS_HOLD_DAYS)
    return Q(shipment__isnull=True) | Q(
        shipment__status=ShipmentStatus.DELIVERED, shipment__delivered_at__lte=hold_start
    )


def balances(seller: User, now: datetime | None = None) -> Balances:
    """``seller``'s balances at ``now``, in one query."""
    now = now or timezone.now()
    sums = LedgerEntry.objects.filter(seller=seller).aggregate(
        total=Sum("amount"),
        available=Sum("amount", filter=released_q(now)),
        paid_out=Sum("amount", filter=Q(kind=Kind.PAYOUT)),
        sales=Sum("amount", filter=Q(kind=Kind.SALE)),
        fees=Sum("amount", filter=Q(kind=Kind.FEE)),
        refunds=Sum("amount", filter=Q(kind=Kind.REFUND)),
        adjustments=Sum("amount", filter=Q(kind=Kind.ADJUSTMENT)),
    )
    # Rounded again: SQLite sums decimals as floats.
    sums = {name: to_cents(value or ZERO) + ZERO for name, value in sums.items()}  # + ZERO: no "-0.00"
    return Balances(
        pending=sums["total"] - sums["available"],
        available=sums["available"],
        paid_out=-sums["paid_out"],
        sales=sums["sales"],
        fees=-sums["fees"],
        refunds=-sums["refunds"],
        adjustments=sums["adjustments"],
    )


def period_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """From the start of day ``start`` to the end of day ``end`` (inclusive) in the site's time zone."""
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz) if start else None
    before = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz) if end else None
    return since, before


def seller_ledger(seller: User, start: date | None = None, end: date | None = None) -> QuerySet[LedgerEntry]:
    """``seller``'s entries made between ``start`` and ``end`` (dates, inclusive, either optional), newest first."""
    since, before = period_bounds(start, end)
    entries = LedgerEntry.objects.filter(seller=seller).select_related("shipment__order", "payout")
    if since:
        entries = entries.filter(created_at__gte=since)
    if before:
        entries = entries.filter(created_at__lt=before)
    return entries.order_by("-created_at", "-id")


# --- The sales of a period, for a spreadsheet -------------------------------------


@dataclass(frozen=True)
class SaleRow:
    """One seller's part of one paid order, as the export shows it. Amounts are positive except ``net``."""

    order_number: str
    paid_on: date
    items: str
    items_amount: Decimal
    fees: Decimal
    shipping: Decimal
    refunds: Decimal
    net: Decimal
    status: str


def seller_sales_rows(seller: User, start: date, end: date) -> list[SaleRow]:
    """``seller``'s sales paid between ``start`` and ``end`` (inclusive), oldest first: two queries and a prefetch.

    Fees are those fixed on the lines at checkout minus any given back; refunds and net come from the ledger.
    """
    since, before = period_bounds(start, end)
    shipments = list(
        Shipment.objects.filter(seller=seller, order__paid_at__gte=since, order__paid_at__lt=before)
        .select_related("order")
        .prefetch_related("lines")
        .order_by("order__paid_at", "pk")
    )
    ledger: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for shipment_id, kind, total in (
        LedgerEntry.objects.filter(
            seller=seller, shipment__order__paid_at__gte=since, shipment__order__paid_at__lt=before
        )
        .values_list("shipment_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        ledger[shipment_id][kind] += to_cents(total)
    tz = timezone.get_current_timezone()
    rows = []
    for shipment in shipments:
        lines = list(shipment.lines.all())
        sums = ledger[shipment.pk]
        line_fees = sum((line.fee for line in lines), ZERO)
        rows.append(
            SaleRow(
                order_number=shipment.order.number,
                paid_on=timezone.localtime(shipment.order.paid_at, tz).date(),
                items="; ".join(f"{line.quantity} x {line.title}" for line in lines),
                items_amount=sum((line.line_total for line in lines), ZERO),
                fees=-sums[Kind.FEE] if Kind.SALE in sums else line_fees,
                shipping=shipment.shipping_cost,
                refunds=-sums[Kind.REFUND],
                net=sum(sums.values(), ZERO),
                status=str(shipment.get_status_display()),
            )
        )
    return rows


def sales_headers() -> list[str]:
    return [
        _("Order number"),
        _("Paid on"),
        _("Items"),
        _("Items amount"),
        _("Fees"),
        _("Shipping"),
        _("Refunds"),
        _("Net"),
        _("Status"),
    ]


def sales_dataset(rows: list[SaleRow]) -> tablib.Dataset:
    """The rows as a table with headers in the active language (amounts as Decimals, dates as dates)."""
    data = tablib.Dataset(headers=sales_headers(), title=_("Sales")[:31])
    for row in rows:
        data.append(
            [
                row.order_number,
                row.paid_on,
                row.items,
                row.items_amount,
                row.fees,
                row.shipping,
                row.refunds,
                row.net,
                row.status,
            ]
        )
    return data


def sales_csv(rows: list[SaleRow]) -> str:
    """The rows as CSV text: ISO dates, amounts with a dot and two decimals, whatever the language."""
    return sales_dataset(rows).export("csv")


def sales_xlsx(rows: list[SaleRow]) -> bytes:
    """The rows as an XLSX workbook (tablib with openpyxl)."""
    return sales_dataset(rows).export("xlsx")
