"""Helpers for the admin pages of every app (this module registers no model)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


class ReadOnlyAdminMixin:
    """Records nobody edits by hand: staff may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The list stays "changeable" so that admin actions (which need the change permission) are offered;
        # each record's page is view-only.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def admin_link(obj, label=None):
    """A link to ``obj``'s admin page (its ``str`` or ``label``), or a dash when there is none."""
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def required_reason(model_admin, request, max_length: int) -> str | None:
    """The reason staff typed beside an admin action ("reason" in the action bar), or None after telling them
    what is wrong (empty, or longer than ``max_length``): the action then changes nothing."""
    reason = request.POST.get("reason", "").strip()
    if not reason:
        model_admin.message_user(
            request,
            _("Type the reason for hiding in the “Reason” box next to the action menu. Nothing was changed."),
            messages.ERROR,
        )
        return None
    if len(reason) > max_length:
        model_admin.message_user(
            request, _("Keep the reason under %(max)d characters.") % {"max": max_length}, messages.ERROR
        )
        return None
    return reason
