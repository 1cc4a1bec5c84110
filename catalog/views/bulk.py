"""The inventory's bulk actions (POST /sell/bulk/): a preview for price changes and deletions, then the change.

The form (catalog.forms.inventory.BulkForm) checks the input, catalog.services.bulk holds the rules; only the
seller's own listings are ever read or changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import seller_required
from catalog.forms.inventory import BulkForm
from catalog.services.bulk import (
    PRICE_ACTIONS,
    BulkAction,
    BulkOutcome,
    Selection,
    Skip,
    apply_bulk_action,
    preview_bulk_action,
)
from catalog.views.sell import _next_url

# Actions that are shown before they are applied.
PREVIEWED = (*PRICE_ACTIONS, BulkAction.DELETE)


def _selection(form: BulkForm) -> Selection:
    if form.cleaned_data["scope"] == "matching":
        return Selection.matching(form.filters())
    return Selection.of_ids(form.cleaned_data["ids"])


def _render(request: HttpRequest, form: BulkForm, *, status: int, outcome: BulkOutcome | None = None, errors=()):
    context = {
        "form": form,
        "outcome": outcome,
        "errors": list(errors),
        "next": _next_url(request),
        "action_label": BulkAction(form.cleaned_data["action"]).label if "action" in form.cleaned_data else "",
        "is_price": form.cleaned_data.get("action") in PRICE_ACTIONS,
        "ids": form.cleaned_data.get("ids") or [],
    }
    return render(request, "sell/inventory_bulk.html", context, status=status)


def _form_errors(form: BulkForm) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@require_POST
@seller_required
def inventory_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400, errors=_form_errors(form))
    action, value, selection = form.cleaned_data["action"], form.value(), _selection(form)
    try:
        if action in PREVIEWED and request.POST.get("confirm") != "yes":
            outcome = preview_bulk_action(request.user, action, value, selection)
        else:
            outcome = apply_bulk_action(request.user, action, value, selection)
            if outcome.total:
                for level, text in outcome_messages(outcome):
                    messages.add_message(request, level, text)
                return redirect(_next_url(request))
    except ValidationError as exc:
        return _render(request, form, status=400, errors=exc.messages)
    if not outcome.total:
        # Nothing of the seller's was named: another seller's ids, or listings deleted meanwhile.
        status = 404 if outcome.not_found else 200
        return _render(request, form, status=status, outcome=outcome, errors=[_nothing_text(outcome)])
    return _render(request, form, status=200, outcome=outcome)


def _nothing_text(outcome: BulkOutcome) -> str:
    if outcome.not_found:
        return _("None of the selected listings is in your shop: nothing was changed.")
    return _("No listing matches your search and filters: nothing was changed.")


def outcome_messages(outcome: BulkOutcome) -> list[tuple[int, str]]:
    """What happened, in sentences for the page's messages: (messages level, text)."""
    done = []
    n = outcome.changed
    if n:
        text = {
            BulkAction.PAUSE: ngettext("%(count)s listing paused.", "%(count)s listings paused.", n),
            BulkAction.RESUME: ngettext(
                "%(count)s listing is on sale again.", "%(count)s listings are on sale again.", n
            ),
            BulkAction.SET_QUANTITY: ngettext(
                "Quantity set on %(count)s listing.", "Quantity set on %(count)s listings.", n
            ),
            BulkAction.PRICE_AMOUNT: ngettext(
                "Price changed on %(count)s listing.", "Prices changed on %(count)s listings.", n
            ),
            BulkAction.PRICE_PERCENT: ngettext(
                "Price changed on %(count)s listing.", "Prices changed on %(count)s listings.", n
            ),
        }[outcome.action]
        done.append((messages.SUCCESS, text % {"count": n}))
    if outcome.deleted:
        done.append(
            (
                messages.SUCCESS,
                ngettext("%(count)s listing deleted.", "%(count)s listings deleted.", outcome.deleted)
                % {"count": outcome.deleted},
            )
        )
    if outcome.archived:
        done.append(
            (
                messages.INFO,
                ngettext(
                    "%(count)s listing archived rather than deleted, so its sales and history stay on record.",
                    "%(count)s listings archived rather than deleted, so their sales and history stay on record.",
                    outcome.archived,
                )
                % {"count": outcome.archived},
            )
        )
    if outcome.paused_instead:
        done.append(
            (
                messages.WARNING,
                ngettext(
                    "%(count)s listing has copies in an order awaiting payment: it is paused, not deleted. "
                    "Delete it once the order is paid or has expired.",
                    "%(count)s listings have copies in orders awaiting payment: they are paused, not deleted. "
                    "Delete them once the orders are paid or have expired.",
                    outcome.paused_instead,
                )
                % {"count": outcome.paused_instead},
            )
        )
    for reason, count in sorted(outcome.skipped.items()):
        done.append(
            (
                messages.INFO,
                ngettext(
                    "%(count)s listing left as it was: %(reason)s.",
                    "%(count)s listings left as they were: %(reason)s.",
                    count,
                )
                % {"count": count, "reason": Skip(reason).label},
            )
        )
    if outcome.not_found:
        done.append(
            (
                messages.WARNING,
                ngettext(
                    "%(count)s selected listing is not in your shop (or no longer exists): it was left alone.",
                    "%(count)s selected listings are not in your shop (or no longer exist): they were left alone.",
                    outcome.not_found,
                )
                % {"count": outcome.not_found},
            )
        )
    return done
