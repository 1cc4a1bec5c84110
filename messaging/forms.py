from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import MAX_BODY_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_BODY_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Plain text, up to 2,000 characters. Do not share your email address or phone number: "
            "keep the conversation here. Our staff may read this conversation if a claim about an order needs it."
        ),
    )
