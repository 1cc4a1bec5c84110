"""A buyer's report of a listing to staff."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Report
from catalog.services.reports import REPORT_TEXT_MAX


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this listing?"),
        choices=[("", _("Choose a reason")), *Report.Reason.choices],
        error_messages={
            "required": _("Choose a reason for your report."),
            "invalid_choice": _("Choose one of the listed reasons."),
        },
    )
    text = forms.CharField(
        label=_("Details for our staff"),
        required=False,
        max_length=REPORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. What did you notice? At most 2000 characters."),
    )
