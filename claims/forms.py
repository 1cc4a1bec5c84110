"""The claim forms: opening one (with photos, checked as listing photos are), and each side's answers."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.forms.sell import PHOTO_ACCEPT, MultipleFileInput, MultipleImageField
from claims.models import MESSAGE_MAX_LENGTH
from claims.services.decisions import ADDRESS_MAX_LENGTH, REASON_MAX_LENGTH
from claims.services.opening import MAX_PHOTOS
from claims.states import ClaimKind


class OpenClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("What went wrong?"), widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Tell the seller what happened"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    photos = MultipleImageField(
        label=_("Photos (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("Up to 3 photos: JPEG, PNG, WebP or GIF."),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(value, label) for value, label in ClaimKind.choices if value in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean_photos(self) -> list:
        uploads = self.cleaned_data["photos"]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("You can send at most %(max)s photos.") % {"max": MAX_PHOTOS}, code="too_many")
        return uploads


class OfferForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2, localize=False
    )


class ReturnForm(forms.Form):
    return_address = forms.CharField(
        label=_("Address to send the book back to"),
        max_length=ADDRESS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StaffDecisionForm(forms.Form):
    """The admin's decision on an escalated claim."""

    REFUND = "refund"
    CLOSE = "close"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(REFUND, _("Refund the buyer")), (CLOSE, _("Close without a refund"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Amount to refund"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty to refund everything left."),
    )
    reason = forms.CharField(
        label=_("Reason (both sides read it)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.CLOSE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the claim is closed: both sides will read it."))
        return data
