"""Feedback pages: a shop's public feedback, the buyer's rating form, the seller's feedback list and answers.

Ownership lives in ``feedback.services`` (``get_shipment_for_rating``, ``get_feedback_for_seller``): anyone
else's order or feedback answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import seller_required
from accounts.models import Shop
from feedback.forms import AnswerForm, RatingForm
from feedback.models import Feedback
from feedback.services import (
    FeedbackError,
    answer_feedback,
    can_rate,
    change_feedback,
    editable_until,
    get_feedback_for_seller,
    get_shipment_for_rating,
    is_editable,
    leave_feedback,
    public_feedback,
    seller_feedback,
)

FEEDBACK_PAGE_SIZE = 20


@require_safe
def shop_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """The shop's feedback, newest first, hidden ones left out, with the seller's answers."""
    shop = get_object_or_404(Shop.objects.select_related("stats"), slug=slug, owner__is_active=True)
    page = Paginator(public_feedback(shop), FEEDBACK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/shop_feedback.html", {"shop": shop, "page": page})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rate(request: HttpRequest, number: str, shipment_id: int) -> HttpResponse:
    """The buyer rates the seller of one shipment of their order, or changes their rating within 14 days."""
    shipment = get_shipment_for_rating(request.user, number, shipment_id)
    order = shipment.order
    feedback = Feedback.objects.filter(shipment=shipment).first()
    editable = feedback is not None and is_editable(feedback)
    open_to_rate = feedback is None and can_rate(shipment, request.user)
    status = 200
    if request.method == "POST" and (editable or open_to_rate):
        form = RatingForm(request.POST)
        if form.is_valid():
            stars, comment = form.cleaned_data["stars"], form.cleaned_data["comment"]
            try:
                if feedback is None:
                    leave_feedback(shipment, request.user, stars, comment)
                    messages.success(request, _("Thank you: your rating is published."))
                else:
                    change_feedback(feedback, request.user, stars, comment)
                    messages.success(request, _("Your rating is updated."))
            except FeedbackError as error:
                form.add_error(None, error.message)
            else:
                return redirect(order)
        status = 400
    elif request.method == "POST":
        form = RatingForm()
        messages.error(request, _("This rating cannot be given or changed now."))
        status = 400
    else:
        initial = {"stars": str(feedback.stars), "comment": feedback.comment} if feedback else None
        form = RatingForm(initial=initial)
    context = {
        "order": order,
        "shipment": shipment,
        "shop": getattr(shipment.seller, "shop", None),
        "feedback": feedback,
        "form": form,
        "editable": editable,
        "open_to_rate": open_to_rate,
        "editable_until": editable_until(feedback) if feedback else None,
    }
    return render(request, "feedback/rate.html", context, status=status)


@require_safe
@seller_required
def seller_list(request: HttpRequest) -> HttpResponse:
    """The seller's feedback, hidden ones marked as removed by staff, each unanswered one with a link to answer."""
    page = Paginator(seller_feedback(request.user), FEEDBACK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/seller_list.html", {"page": page, "shop": request.user.shop})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller answers a rating, once, publicly."""
    feedback = get_feedback_for_seller(request.user, pk)
    can_answer = feedback.answered_at is None and not feedback.is_hidden
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if not can_answer:
            messages.error(request, _("This feedback cannot be answered any more."))
            return redirect("feedback:answer", pk=feedback.pk)
        if form.is_valid():
            try:
                answer_feedback(feedback, request.user, form.cleaned_data["answer"])
            except FeedbackError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your answer is published."))
                return redirect("feedback:seller_list")
        status = 400
    else:
        form = AnswerForm()
    context = {"feedback": feedback, "form": form, "can_answer": can_answer}
    return render(request, "feedback/answer.html", context, status=status)
