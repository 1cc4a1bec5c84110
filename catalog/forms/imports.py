"""The upload form of the listings import page."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from catalog.imports.files import ACCEPT, check_size, file_format


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Your listings file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    whole_inventory = forms.BooleanField(
        label=_("This file is my whole inventory: pause my active listings that are not in it"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("CSV (UTF-8 or Latin-1), TSV or Excel (.xlsx), up to %(limit)s.") % {
            "limit": filesizeformat(settings.SELLER_IMPORT_MAX_BYTES)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        file_format(upload.name or "")
        check_size(upload.size or 0)
        return upload
