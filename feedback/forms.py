"""The buyer's rating form and the seller's answer form. Limits are checked again by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import ANSWER_MAX_LENGTH, COMMENT_MAX_LENGTH, MAX_STARS, MIN_STARS

STAR_CHOICES = [(str(n), str(n)) for n in range(MAX_STARS, MIN_STARS - 1, -1)]


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose from 1 to 5 stars."), "invalid_choice": _("Choose from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What went well or not: the book's condition, the packing, the time it took. Up to 1,000 characters."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your public answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown under the buyer's feedback on your shop's page. You can answer once. Up to 1,000 characters."
        ),
    )
