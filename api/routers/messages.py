"""Messages between buyers and sellers: the inbox, a thread, and writing in it, with the messaging services' rules.

A thread is reached only by its two sides (404 for anyone else). Writing needs the scope of the caller's side of
the thread (``buy`` for its buyer, ``sell`` for its seller); a blocked buyer is refused (403), as on the site, and
a full quota of new threads a day is a 429.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from api.access import BodyId, PathId, caller, created_at, invalid, not_found
from api.auth import AUTH, request_token, require_scope
from api.errors import ApiError
from api.pagination import paginate
from api.schemas import ProblemOut
from catalog.models import Listing
from messaging import services
from messaging.models import MAX_BODY_LENGTH, Participant, Thread
from messaging.services import MessagingError
from orders.models import Shipment

router = Router(tags=["messages"], auth=AUTH)

PROBLEMS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut,
            429: ProblemOut}  # fmt: skip
# As the site's pages answer them: a block is 403, a full quota 429, a bad body a field error.
STATUS_FOR_CODE = {"blocked": 403, "too_many_threads": 429, "own_listing": 409, "not_available": 409}
THREAD_MESSAGES_SHOWN = 200


class ThreadSummaryOut(Schema):
    id: int
    subject: str = Field(..., description="listing or shipment")
    title: str
    with_name: str = Field(..., description="The other side's name.")
    role: str = Field(..., description="Your side: buyer or seller.")
    unread: int
    last_message_at: datetime
    listing_id: int | None
    shipment_id: int | None


class ThreadPageOut(Schema):
    items: list[ThreadSummaryOut]
    next: str | None


class MessageOut(Schema):
    id: int
    author: str
    mine: bool
    body: str
    created_at: datetime


class ThreadOut(ThreadSummaryOut):
    blocked: bool
    can_write: bool
    messages: list[MessageOut]


class MessageIn(Schema):
    body: str = Field(..., max_length=MAX_BODY_LENGTH)


class AskIn(MessageIn):
    listing_id: BodyId


class ShipmentMessageIn(MessageIn):
    shipment_id: BodyId


def _require_any(request: HttpRequest) -> None:
    """Reading messages: a token with read, buy or sell."""
    token = request_token(request)
    if token is not None and not any(token.has_scope(scope) for scope in ("read", "buy", "sell")):
        require_scope(request, "read")


def _require_side(request: HttpRequest, thread: Thread) -> None:
    require_scope(request, "sell" if caller(request).pk == thread.seller_id else "buy")


def _refused(error: MessagingError) -> ApiError:
    if error.code in ("empty", "too_long"):
        return invalid({"body": [error.message]}, code=error.code)
    status = STATUS_FOR_CODE.get(error.code, 409)
    headers = {"Retry-After": "3600"} if status == 429 else None
    return ApiError(status, "Refused", error.message, code=error.code, headers=headers)


def _thread(request: HttpRequest, pk: int) -> Thread:
    thread = services.thread_for_participant(caller(request), pk)
    if thread is None:
        raise not_found(_("No conversation matches the given query."))
    return thread


def _started(request: HttpRequest, response: HttpResponse, write) -> Status:
    """201 with the conversation that ``write()`` wrote in (started if need be), or the messaging rule it broke."""
    try:
        thread = write()
    except MessagingError as error:
        raise _refused(error) from None
    created_at(request, response, reverse("api-v1:thread", kwargs={"pk": thread.pk}))
    return Status(201, thread_out(_thread(request, thread.pk), caller(request)))


def _summary(thread: Thread, user, unread: int) -> dict:
    return {
        "id": thread.pk,
        "subject": thread.subject,
        "title": thread.title,
        "with_name": services.party_name(thread, thread.other_party(user)),
        "role": "seller" if user.pk == thread.seller_id else "buyer",
        "unread": unread,
        "last_message_at": thread.last_message_at,
        "listing_id": thread.listing_id,
        "shipment_id": thread.shipment_id,
    }


def thread_out(thread: Thread, user) -> dict:
    latest = list(thread.messages.order_by("-created_at", "-id")[:THREAD_MESSAGES_SHOWN])
    latest.reverse()
    names = {thread.buyer_id: services.buyer_name(thread.buyer), thread.seller_id: services.seller_name(thread.seller)}
    blocked = services.is_blocked(thread.seller_id, thread.buyer_id)
    unread = Participant.objects.filter(thread=thread, user=user).values_list("unread_count", flat=True).first()
    return {
        **_summary(thread, user, unread or 0),
        "blocked": blocked,
        "can_write": not (blocked and user.pk == thread.buyer_id),
        "messages": [
            {
                "id": message.pk,
                "author": names.get(message.author_id, ""),
                "mine": message.author_id == user.pk,
                "body": message.body,
                "created_at": message.created_at,
            }
            for message in latest
        ],
    }


class InboxQuery(Schema):
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=100)


@router.get("", response={200: ThreadPageOut, **PROBLEMS}, summary="Your conversations")
def inbox(request: HttpRequest, query: Query[InboxQuery]):
    """Your conversations as buyer and as seller, the latest message first, with their unread counts."""
    _require_any(request)
    user = caller(request)
    rows = Participant.objects.filter(user=user).select_related("thread__buyer", "thread__seller__shop")
    page, next_cursor = paginate(
        request, rows, ordering=("-last_message_at", "-id"), limit=query.limit, cursor=query.cursor
    )
    return {"items": [_summary(row.thread, user, row.unread_count) for row in page], "next": next_cursor}


@router.post("", response={201: ThreadOut, **PROBLEMS}, summary="Ask a seller about a listing")
def ask(request: HttpRequest, payload: AskIn, response: HttpResponse):
    """Write to the seller of a listing on sale: in your conversation about it, started now if there is none."""
    require_scope(request, "buy")
    user = caller(request)
    listing = Listing.objects.select_related("book", "seller__shop").filter(pk=payload.listing_id).first()
    if listing is None or (not listing.is_visible and services.listing_thread(listing, user) is None):
        raise invalid({"listing_id": [_("This listing is not for sale.")]})
    return _started(request, response, lambda: services.ask_about_listing(listing, user, payload.body))


@router.post("/shipments", response={201: ThreadOut, **PROBLEMS}, summary="Write about a shipment")
def write_about_shipment(request: HttpRequest, payload: ShipmentMessageIn, response: HttpResponse):
    """Write to the other side of one of your shipments (your order's seller, or your sale's buyer): in your
    conversation about it, started now if there is none. Needs ``buy`` as its buyer, ``sell`` as its seller."""
    user = caller(request)
    shipment = (
        Shipment.objects.select_related("order__buyer", "seller__shop")
        .filter(Q(order__buyer=user) | Q(seller=user), pk=payload.shipment_id)
        .first()
    )
    if shipment is None:
        raise invalid({"shipment_id": [_("Choose one of your orders' or sales' shipments.")]})
    require_scope(request, "sell" if shipment.seller_id == user.pk else "buy")
    return _started(request, response, lambda: services.write_about_shipment(shipment, user, payload.body))


@router.get("/{pk}", response={200: ThreadOut, **PROBLEMS}, url_name="thread", summary="A conversation")
def read_thread(request: HttpRequest, pk: PathId):
    """A conversation's latest messages, oldest first; reading it marks it read (with a token that may write)."""
    _require_any(request)
    user = caller(request)
    thread = _thread(request, pk)
    token = request_token(request)
    if token is None or token.has_scope("sell" if user.pk == thread.seller_id else "buy"):
        services.mark_read(thread, user)
    return thread_out(thread, user)


@router.post("/{pk}/messages", response={201: MessageOut, **PROBLEMS}, summary="Reply")
def reply(request: HttpRequest, pk: PathId, payload: MessageIn, response: HttpResponse):
    """Write in a conversation; the other side is told by email. 403 when the seller blocked you."""
    thread = _thread(request, pk)
    _require_side(request, thread)
    user = caller(request)
    try:
        message = services.post_message(thread, user, payload.body)
    except MessagingError as error:
        raise _refused(error) from None
    created_at(request, response, reverse("api-v1:thread", kwargs={"pk": thread.pk}))
    return Status(
        201,
        {
            "id": message.pk,
            "author": services.party_name(thread, user),
            "mine": True,
            "body": message.body,
            "created_at": message.created_at,
        },
    )


@router.put("/{pk}/block", response={200: ThreadOut, **PROBLEMS}, summary="Block the buyer")
def block(request: HttpRequest, pk: PathId):
    """As the conversation's seller, stop its buyer from writing to you, in every conversation between you (their
    messages so far stay). Needs ``sell``. Doing it again changes nothing."""
    return _blocking(request, pk, services.block_buyer)


@router.delete("/{pk}/block", response={200: ThreadOut, **PROBLEMS}, summary="Unblock the buyer")
def unblock(request: HttpRequest, pk: PathId):
    """As the conversation's seller, let its buyer write to you again. Needs ``sell``."""
    return _blocking(request, pk, services.unblock_buyer)


def _blocking(request: HttpRequest, pk: int, change) -> dict:
    thread = _thread(request, pk)
    user = caller(request)
    if user.pk != thread.seller_id:
        raise ApiError(403, "Forbidden", _("Only the seller can block or unblock the buyer."), code="not_seller")
    require_scope(request, "sell")
    change(thread, user)
    return thread_out(thread, user)
