"""The inbox, a thread's page, starting a thread about a listing or a shipment, and blocking a buyer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.models import Listing
from messaging import services
from messaging.forms import MessageForm
from messaging.models import Participant, Thread
from messaging.services import MessagingError
from orders.models import Shipment

INBOX_PAGE_SIZE = 20
# A thread's page shows its latest messages; older ones stay in the admin for staff.
THREAD_MESSAGES_SHOWN = 200

# What a refusal answers: a full quota is 429, a block 403, anything else a form error (400).
STATUS_FOR_CODE = {"too_many_threads": 429, "blocked": 403}


def _thread_or_404(request: HttpRequest, pk: int) -> Thread:
    thread = services.thread_for_participant(request.user, pk)
    if thread is None:
        raise Http404("No conversation matches the given query.")
    return thread


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    rows = Participant.objects.filter(user=request.user).select_related(
        "thread__buyer", "thread__seller__shop", "thread__listing"
    )
    page = Paginator(rows, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [
        {
            "thread": row.thread,
            "unread": row.unread_count,
            "other": services.party_name(row.thread, row.thread.other_party(request.user)),
        }
        for row in page
    ]
    return render(request, "messaging/inbox.html", {"page": page, "entries": entries})


def _thread_context(request: HttpRequest, thread: Thread, form: MessageForm | None = None) -> dict:
    user = request.user
    latest = list(thread.messages.select_related("author").order_by("-created_at", "-id")[:THREAD_MESSAGES_SHOWN])
    latest.reverse()
    names = {
        thread.buyer_id: services.buyer_name(thread.buyer),
        thread.seller_id: services.seller_name(thread.seller),
    }
    blocked = services.is_blocked(thread.seller_id, thread.buyer_id)
    return {
        "thread": thread,
        "thread_messages": [
            {"message": m, "author_name": names[m.author_id], "mine": m.author_id == user.pk} for m in latest
        ],
        "other_name": names[thread.seller_id if user.pk == thread.buyer_id else thread.buyer_id],
        "is_seller": user.pk == thread.seller_id,
        "blocked": blocked,
        "can_write": not (blocked and user.pk == thread.buyer_id),
        "form": form or MessageForm(),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    if request.method == "POST":
        form = MessageForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.post_message(thread, request.user, form.cleaned_data["body"])
            except MessagingError as exc:
                form.add_error("body" if exc.code in ("empty", "too_long") else None, exc.message)
                status = STATUS_FOR_CODE.get(exc.code, 400)
            else:
                messages.success(request, _("Your message was sent."))
                return redirect(thread)
        return render(request, "messaging/thread.html", _thread_context(request, thread, form), status=status)
    services.mark_read(thread, request.user)
    return render(request, "messaging/thread.html", _thread_context(request, thread))


def _start_page(request: HttpRequest, *, about: dict, start, template_context: dict) -> HttpResponse:
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                thread = start(form.cleaned_data["body"])
            except MessagingError as exc:
                form.add_error("body" if exc.code in ("empty", "too_long") else None, exc.message)
                status = STATUS_FOR_CODE.get(exc.code, 400)
            else:
                messages.success(request, _("Your message was sent."))
                return redirect(thread)
    return render(request, "messaging/start.html", {**template_context, **about, "form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def ask_seller(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the seller of a listing a question: the buyer's thread about it if there is one, else a new one."""
    listing = get_object_or_404(Listing.objects.select_related("book", "seller__shop"), pk=pk)
    if not listing.is_visible or listing.seller_id == request.user.pk:
        raise Http404("No listing to ask about.")
    existing = services.listing_thread(listing, request.user)
    if existing is not None:
        return redirect(existing)
    return _start_page(
        request,
        about={"listing": listing},
        start=lambda body: services.ask_about_listing(listing, request.user, body),
        template_context={"other_name": services.seller_name(listing.seller)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def write_about_shipment(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to the other side of one shipment: its order's buyer, or its seller."""
    shipment = get_object_or_404(Shipment.objects.select_related("order__buyer", "seller__shop"), pk=pk)
    user = request.user
    if user.pk not in (shipment.order.buyer_id, shipment.seller_id):
        raise Http404("No shipment matches the given query.")
    existing = services.shipment_thread(shipment)
    if existing is not None:
        return redirect(existing)
    other = (
        services.seller_name(shipment.seller)
        if user.pk == shipment.order.buyer_id
        else services.buyer_name(shipment.order.buyer)
    )
    return _start_page(
        request,
        about={"shipment": shipment, "order": shipment.order},
        start=lambda body: services.write_about_shipment(shipment, user, body),
        template_context={"other_name": other},
    )


def _seller_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    if request.user.pk != thread.seller_id:
        raise Http404("Only the seller of this conversation can do this.")
    action(thread, request.user)
    messages.success(request, done)
    return redirect(thread)


@require_POST
@login_required
def block(request: HttpRequest, pk: int) -> HttpResponse:
    return _seller_action(
        request, pk, services.block_buyer, _("The buyer can no longer write to you. You can unblock them here.")
    )


@require_POST
@login_required
def unblock(request: HttpRequest, pk: int) -> HttpResponse:
    return _seller_action(request, pk, services.unblock_buyer, _("The buyer can write to you again."))
