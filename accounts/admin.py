from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.changes import announce_seller_change, announce_sellers_shown_or_hidden
from accounts.forms import ShopForm
from accounts.models import Shop, ShopStats, User, stats_of
from core.admin import ReadOnlyAdminMixin, admin_link


def _clean_unique_email(form: forms.ModelForm) -> str:
    # allauth stores and looks up addresses in lower case; keep the admin consistent with it.
    email = form.cleaned_data["email"].strip().lower()
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk:
        others = others.exclude(pk=form.instance.pk)
    if others.exists():
        raise forms.ValidationError(_("A user with this email address already exists."), code="unique")
    return email


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        return _clean_unique_email(self)


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return _clean_unique_email(self)


class HasShopFilter(admin.SimpleListFilter):
    title = _("shop")
    parameter_name = "has_shop"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a shop")), ("no", _("No shop"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(shop__isnull=False)
        if self.value() == "no":
            return queryset.filter(shop__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language", "shop_link")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    list_display = ("email", "full_name", "is_active", "staff", "joined", "has_shop")
    list_filter = ("is_active", "is_staff", "is_superuser", HasShopFilter)
    search_fields = ("email", "first_name", "last_name")
    search_help_text = _("Email or name.")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    list_select_related = ("shop",)
    readonly_fields = ("shop_link", "last_login", "date_joined")
    actions = ["deactivate_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shop")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            announce_sellers_shown_or_hidden(User, [obj.pk])  # their listings leave or come back to the catalog

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("staff"), boolean=True, ordering="is_staff")
    def staff(self, obj):
        return obj.is_staff

    @admin.display(description=_("joined"), ordering="date_joined")
    def joined(self, obj):
        return localtime(obj.date_joined).date()

    @admin.display(description=_("has shop"), boolean=True)
    def has_shop(self, obj):
        return hasattr(obj, "shop")

    @admin.display(description=_("shop"))
    def shop_link(self, obj):
        shop = getattr(obj, "shop", None)
        if shop is None:
            return _("No shop")
        return format_html('<a href="{}">{}</a>', reverse("admin:accounts_shop_change", args=[shop.pk]), shop.name)

    @admin.action(description=_("Deactivate selected users"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        refused = list(services.refused_for_deactivation(queryset, request.user))
        count = services.deactivate_users(queryset, by=request.user)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d user was deactivated: they can no longer log in and their listings left the catalog.",
                    "%(count)d users were deactivated: they can no longer log in and their listings left the catalog.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Not deactivated (you cannot deactivate yourself or a superuser): %(users)s.")
                % {"users": ", ".join(user.email for user in refused)},
                messages.ERROR,
            )
        if not count and not refused:
            self.message_user(request, _("The selected users were already inactive."), messages.WARNING)


class _RangeFilter(admin.SimpleListFilter):
    """Shops by a range of one of their figures (accounts.ShopStats); ``ranges`` maps a value to (label, Q)."""

    ranges: dict = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _q) in self.ranges.items()]

    def queryset(self, request, queryset):
        chosen = self.ranges.get(self.value())
        return queryset.filter(chosen[1]) if chosen else queryset


class RatingFilter(_RangeFilter):
    title = _("rating (all time)")
    parameter_name = "rating"
    # The average is rating_total / rating_count: compared as rating_total against n x rating_count.
    ranges = {
        "4.5+": (
            _("4.5 ★ and more"),
            Q(stats__rating_count__gt=0, stats__rating_total__gte=4.5 * F("stats__rating_count")),
        ),
        "4-4.5": (
            _("4 to 4.5 ★"),
            Q(stats__rating_total__gte=4 * F("stats__rating_count"))
            & Q(stats__rating_total__lt=4.5 * F("stats__rating_count")),
        ),
        "<4": (
            _("under 4 ★"),
            Q(stats__rating_count__gt=0, stats__rating_total__lt=4 * F("stats__rating_count")),
        ),
        "none": (_("no ratings"), Q(stats__isnull=True) | Q(stats__rating_count=0)),
    }


class OnTimeFilter(_RangeFilter):
    title = _("shipped within 2 business days (90 days)")
    parameter_name = "on_time"
    ranges = {
        "95+": (_("95% and more"), Q(stats__on_time_percent_90d__gte=95)),
        "80-95": (_("80% to 95%"), Q(stats__on_time_percent_90d__gte=80, stats__on_time_percent_90d__lt=95)),
        "<80": (_("under 80%"), Q(stats__on_time_percent_90d__lt=80)),
        "none": (_("no parcels due"), Q(stats__isnull=True) | Q(stats__on_time_percent_90d__isnull=True)),
    }


class CancellationsFilter(_RangeFilter):
    title = _("cancellations by the seller (90 days)")
    parameter_name = "cancelled"
    ranges = {
        "0": (_("no cancellations"), Q(stats__isnull=True) | Q(stats__cancelled_by_seller_90d=0)),
        "1-2": (_("1 or 2"), Q(stats__cancelled_by_seller_90d__gte=1, stats__cancelled_by_seller_90d__lte=2)),
        "3+": (_("3 or more"), Q(stats__cancelled_by_seller_90d__gte=3)),
    }


class ClaimsFilter(_RangeFilter):
    title = _("claims (90 days)")
    parameter_name = "claims"
    ranges = {
        "0": (_("no claims"), Q(stats__isnull=True) | Q(stats__claims_90d=0)),
        "1+": (_("1 or more"), Q(stats__claims_90d__gte=1)),
    }


class AwayFilter(admin.SimpleListFilter):
    title = _("vacation mode")
    parameter_name = "away"

    def lookups(self, request, model_admin):
        return [("yes", _("Away")), ("no", _("Open"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(away_until__isnull=False)
        if self.value() == "no":
            return queryset.filter(away_until__isnull=True)
        return queryset


class ShopAdminForm(ShopForm):
    class Meta(ShopForm.Meta):
        fields = ["owner", *ShopForm.Meta.fields]


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    form = ShopAdminForm
    list_display = (
        "name", "owner", "city", "country", "away_until", "created_at",
        "rating", "orders_90d", "on_time_90d", "cancelled_90d", "claims_90d", "rating_90d",
    )  # fmt: skip
    list_filter = ("country", AwayFilter, RatingFilter, OnTimeFilter, CancellationsFilter, ClaimsFilter)
    search_fields = ("name", "slug", "owner__email", "city")
    autocomplete_fields = ("owner",)
    list_select_related = ("owner", "stats")
    date_hierarchy = "created_at"
    # Vacation mode is the seller's to set (/sell/vacation/); staff see it.
    readonly_fields = ("slug", "former_slug_list", "away_until", "away_message", "created_at")
    fields = (
        "owner",
        "name",
        "slug",
        "former_slug_list",
        "about",
        "city",
        "region",
        "country",
        "away_until",
        "away_message",
        "created_at",
    )

    def get_readonly_fields(self, request, obj=None):
        # A shop belongs to whoever opened it; staff pick the owner only when creating one.
        if obj is not None:
            return (*self.readonly_fields, "owner")
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        # A shop being opened has had no other slug.
        if obj is None:
            return tuple(field for field in self.fields if field != "former_slug_list")
        return self.fields

    # The shop's figures (accounts.ShopStats): ratings as buyers see them, the standing of the last 90 days.

    @admin.display(description=_("rating (all time)"), ordering="stats__rating_count")
    def rating(self, obj):
        stats = stats_of(obj)
        if not stats or not stats.has_ratings:
            return "—"
        return f"{stats.average:.1f} ★ ({stats.rating_count})"

    @admin.display(description=_("orders (90 days)"), ordering="stats__orders_90d")
    def orders_90d(self, obj):
        stats = stats_of(obj)
        return stats.orders_90d if stats else 0

    @admin.display(description=_("on time (90 days)"), ordering="stats__on_time_percent_90d")
    def on_time_90d(self, obj):
        stats = stats_of(obj)
        return f"{stats.on_time_percent_90d}%" if stats and stats.on_time_percent_90d is not None else "—"

    @admin.display(description=_("cancelled (90 days)"), ordering="stats__cancelled_by_seller_90d")
    def cancelled_90d(self, obj):
        stats = stats_of(obj)
        return stats.cancelled_by_seller_90d if stats else 0

    @admin.display(description=_("claims (90 days)"), ordering="stats__claims_90d")
    def claims_90d(self, obj):
        stats = stats_of(obj)
        return stats.claims_90d if stats else 0

    @admin.display(description=_("rating (90 days)"), ordering="stats__rating_90d")
    def rating_90d(self, obj):
        stats = stats_of(obj)
        return f"{stats.rating_90d:.1f}" if stats and stats.rating_90d is not None else "—"

    @admin.display(description=_("former slugs"))
    def former_slug_list(self, obj):
        """The slugs the shop had before its renames, newest first, each with the day it was replaced.

        Links to them redirect to the shop's page; they are kept by the services, never edited here.
        """
        former = obj.former_slugs.all() if obj.pk else []
        rows = [(row.slug, date_format(localtime(row.created_at), "DATE_FORMAT")) for row in former]
        if not rows:
            return None  # the admin's empty value
        return format_html_join("", "<div>{} ({})</div>", rows)

    def save_model(self, request, obj, form, change):
        # Through the services, so the slug and the name rules are the same as on the website.
        data = {field: form.cleaned_data[field] for field in services.SHOP_FIELDS if field in form.cleaned_data}
        saved = services.update_shop(obj, data) if change else services.open_shop(form.cleaned_data["owner"], data)
        for field in Shop._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        announce_seller_change(Shop)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        announce_seller_change(Shop)


@admin.register(ShopStats)
class ShopStatsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The figures pages show next to a shop; kept by the feedback services and the daily job, never by hand."""

    list_display = (
        "shop_link", "rating_count", "average", "rated_12m", "positive_12m", "orders_90d", "on_time_percent_90d",
        "cancelled_by_seller_90d", "claims_90d", "rating_90d", "standing_updated_at",
    )  # fmt: skip
    list_select_related = ("shop",)
    search_fields = ("shop__name", "shop__slug")
    readonly_fields = [field.name for field in ShopStats._meta.fields]

    @admin.display(description=_("shop"), ordering="shop__name")
    def shop_link(self, obj):
        return admin_link(obj.shop)

    @admin.display(description=_("average"))
    def average(self, obj):
        return obj.average if obj.average is not None else "—"
