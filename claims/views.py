"""The claim pages: the buyer opens a claim on a shipment; buyer and seller follow and answer it.

``claims.services.get_claim_for_party`` and ``get_shipment_for_buyer`` answer 404 to everyone else; staff
decide in the admin.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from claims import services
from claims.eligibility import eligible_kinds, kind_problem
from claims.errors import ClaimError
from claims.forms import NoteForm, OfferForm, OpenClaimForm, ReturnForm
from claims.models import Claim
from claims.states import ClaimKind, ClaimStatus
from core.states import IllegalTransition
from core.views import signed_in_or_back_to


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def open_claim(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = services.get_shipment_for_buyer(request.user, shipment_id)
    in_progress = shipment.claims.in_progress()
    if in_progress is not None:
        messages.info(request, _("A claim about this parcel is already in progress."))
        return redirect(in_progress)
    now = timezone.now()
    kinds = eligible_kinds(shipment, now)
    form = OpenClaimForm(request.POST or None, request.FILES or None, kinds=kinds)
    status = 200
    if request.method == "POST":
        if not kinds:
            status = 400
        elif form.is_valid():
            try:
                claim = services.open_claim(
                    shipment,
                    request.user,
                    form.cleaned_data["kind"],
                    form.cleaned_data["message"],
                    form.cleaned_data["photos"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ClaimError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your claim is open. We told the seller, who has a few days to answer."))
                return redirect(claim)
        status = 400
    context = {
        "shipment": shipment,
        "order": shipment.order,
        "form": form,
        "kinds": kinds,
        # Why each kind is not possible now, for a buyer who came too early or too late.
        "problems": [kind_problem(shipment, kind, now) for kind in ClaimKind.values if kind not in kinds],
    }
    return render(request, "claims/open.html", context, status=status)


def _context(request: HttpRequest, claim: Claim, party: str, **forms) -> dict:
    """The claim page: what each side sees, and the answers open to ``party`` ("buyer" or "seller") now."""
    seller_turn = party == "seller" and claim.status == ClaimStatus.OPEN
    buyer_offer = party == "buyer" and claim.status == ClaimStatus.PARTIAL_OFFERED
    may_mark_received = party == "seller" and claim.status == ClaimStatus.RETURN_REQUESTED
    return {
        "claim": claim,
        "party": party,
        "shipment": claim.shipment,
        "order": claim.shipment.order,
        "events": list(claim.events.all()),
        "photos": list(claim.photos.all()),
        # What the refund buttons would give back (the seller's only: it costs a few queries).
        "refundable": services.refundable_left(claim) if seller_turn or may_mark_received else None,
        "seller_turn": seller_turn,
        "buyer_offer": buyer_offer,
        "offer_form": forms.get("offer_form") or (OfferForm(auto_id="id_offer_%s") if seller_turn else None),
        "return_form": forms.get("return_form") or (ReturnForm(auto_id="id_return_%s") if seller_turn else None),
        "decline_form": forms.get("decline_form") or (NoteForm(auto_id="id_decline_%s") if buyer_offer else None),
        "may_escalate": party == "buyer"
        and (claim.status == ClaimStatus.RETURN_REQUESTED or (claim.status == ClaimStatus.OPEN and claim.is_overdue)),
        "may_withdraw": party == "buyer" and not claim.is_resolved,
        "may_mark_received": may_mark_received,
    }


@require_safe
@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = services.get_claim_for_party(request.user, pk)
    return render(request, "claims/detail.html", _context(request, claim, services.party_of(claim, request.user)))


# action -> (who may take it, the form it reads or None, how to call the service with the form's data)
ACTIONS = {
    "refund": ("seller", None, lambda claim, user, data: services.refund_in_full(claim, user)),
    "offer": (
        "seller",
        OfferForm,
        lambda claim, user, data: services.offer_partial_refund(claim, user, data["amount"]),
    ),
    "return": (
        "seller",
        ReturnForm,
        lambda claim, user, data: services.request_return(claim, user, data["return_address"]),
    ),
    "received": ("seller", None, lambda claim, user, data: services.mark_return_received(claim, user)),
    "accept": ("buyer", None, lambda claim, user, data: services.accept_offer(claim, user)),
    "decline": ("buyer", NoteForm, lambda claim, user, data: services.decline_offer(claim, user, data["note"])),
    "escalate": ("buyer", None, lambda claim, user, data: services.escalate(claim, user)),
    "withdraw": ("buyer", None, lambda claim, user, data: services.withdraw(claim, user)),
}
FORM_NAMES = {
    OfferForm: ("offer_form", "id_offer_%s"),
    ReturnForm: ("return_form", "id_return_%s"),
    NoteForm: ("decline_form", "id_decline_%s"),
}

DONE_MESSAGES = {  # worded when shown
    "refund": gettext_lazy("Refund made. We told the buyer."),
    "offer": gettext_lazy("Offer sent. We told the buyer."),
    "return": gettext_lazy("We asked the buyer to send the book back."),
    "received": gettext_lazy("Return received: the buyer is refunded."),
    "accept": gettext_lazy("Offer accepted: the refund is on its way."),
    "decline": gettext_lazy("Offer declined: our staff will decide."),
    "escalate": gettext_lazy("Our staff will look at this claim and decide."),
    "withdraw": gettext_lazy("Claim withdrawn."),
}


@require_POST
@signed_in_or_back_to("claims:detail", "pk")
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    claim = services.get_claim_for_party(request.user, pk)
    party = services.party_of(claim, request.user)
    role, form_class, call = ACTIONS[action]
    if party != role:
        raise Http404
    data = {}
    if form_class is not None:
        name, auto_id = FORM_NAMES[form_class]
        form = form_class(request.POST, auto_id=auto_id)
        if not form.is_valid():
            context = _context(request, claim, party, **{name: form})
            return render(request, "claims/detail.html", context, status=400)
        data = form.cleaned_data
    try:
        call(claim, request.user, data)
    except ClaimError as error:
        messages.error(request, error.message)
        claim = services.get_claim_for_party(request.user, pk)
        return render(request, "claims/detail.html", _context(request, claim, party), status=400)
    except IllegalTransition:
        messages.error(request, _("This claim has moved on since you opened the page; here is where it stands."))
        return redirect(claim)
    messages.success(request, str(DONE_MESSAGES[action]))
    return redirect(claim)
