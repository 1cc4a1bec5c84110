"""Account rules: a person's profile, a seller's shop, staff deactivating users.

Views, forms and admin actions call these functions; each write is one
``transaction.atomic()`` block. This module imports no domain app (design rule):
changes that other apps show are announced with ``accounts.changes``.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.changes import announce_seller_change, announce_sellers_shown_or_hidden
from accounts.models import SHOP_COUNTRIES, FormerShopSlug, Shop, User
from accounts.visibility import refresh_hidden_sellers

SHOP_FIELDS = ("name", "about", "city", "region", "country")
_REQUIRED_SHOP_FIELDS = ("name", "city", "country")
SLUG_MAX_LENGTH = Shop._meta.get_field("slug").max_length
# Room for a "-NNNN" suffix when the plain slug is taken.
_SLUG_BASE_LENGTH = SLUG_MAX_LENGTH - 5
_SLUG_ATTEMPTS = 3


def _name_taken_error(name: str) -> ValidationError:
    return ValidationError(
        {
            "name": ValidationError(
                _("A shop called “%(name)s” already exists. Please choose another name."),
                code="name_taken",
                params={"name": name},
            )
        }
    )


def shop_name_taken(name: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another shop already uses this name, ignoring case."""
    shops = Shop.objects.filter(name__iexact=name.strip())
    if exclude_pk is not None:
        shops = shops.exclude(pk=exclude_pk)
    return shops.exists()


def unique_shop_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A URL slug for a shop called ``name`` that no other shop uses ("bobs-books", "bobs-books-2", ...)."""
    base = slugify(name)[:_SLUG_BASE_LENGTH].strip("-") or "shop"
    others = Shop.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _shop_values(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The shop fields present in ``data``, trimmed; a required one that is missing or blank is an error."""
    values = {field: data[field] for field in SHOP_FIELDS if field in data}
    for field in ("name", "about", "city", "region"):
        if field in values:
            values[field] = (values[field] or "").strip()
    required = _REQUIRED_SHOP_FIELDS if creating else [f for f in _REQUIRED_SHOP_FIELDS if f in values]
    missing = [field for field in required if not values.get(field)]
    if missing:
        raise ValidationError(
            {field: ValidationError(_("This field is required."), code="required") for field in missing}
        )
    if (
        "country" in values
        and str(getattr(values["country"], "code", values["country"])).upper() not in SHOP_COUNTRIES
    ):
        raise ValidationError({"country": unsupported_shop_country_error()})
    return values


def shop_country_names() -> str:
    """The countries where a shop can open, by name in the active language, for messages ("Colombia, Mexico, …")."""
    return ", ".join(sorted(str(countries.name(code)) for code in SHOP_COUNTRIES))


def unsupported_shop_country_error() -> ValidationError:
    return ValidationError(
        _("Shops can open only where our carriers collect parcels: %(countries)s."),
        code="country_not_served",
        params={"countries": shop_country_names()},
    )


def _save_shop(shop: Shop, *, regenerate_slug: bool) -> None:
    """Save inside the caller's transaction, retrying when a concurrent request took the same slug."""
    for _attempt in range(_SLUG_ATTEMPTS):
        if regenerate_slug:
            shop.slug = unique_shop_slug(shop.name, exclude_pk=shop.pk)
        try:
            with transaction.atomic():
                shop.save()
            return
        except IntegrityError:
            # Tell the user about what they can fix; anything else is a slug race worth one more try.
            if shop_name_taken(shop.name, exclude_pk=shop.pk):
                raise _name_taken_error(shop.name) from None
            if shop.pk is None and Shop.objects.filter(owner_id=shop.owner_id).exists():
                raise ValidationError(_("You already have a shop."), code="has_shop") from None
            if not regenerate_slug:
                raise
    raise ValidationError(_("We could not save your shop just now. Please try again."), code="busy")


def _record_slug_change(shop: Shop, *, old_slug: str | None = None) -> None:
    """Inside the caller's transaction, once ``shop`` is saved with its slug: old links keep leading to it.

    A live slug wins over a former one, so the slug the shop now has stops being anyone's former slug
    (a shop renamed back to an old name gets its old address back). ``old_slug``, when given, becomes
    this shop's former slug; a stale row that still gave it to another shop is dropped.
    """
    slugs = [shop.slug] if old_slug is None else [shop.slug, old_slug]
    FormerShopSlug.objects.filter(slug__in=slugs).delete()
    if old_slug is not None:
        FormerShopSlug.objects.create(shop=shop, slug=old_slug)


def open_shop(user: User, data: Mapping[str, Any]) -> Shop:
    """Open ``user``'s shop with ``data`` (name, about, city, region, country).

    Guarantees: a user has at most one shop; the name is unique ignoring case; the slug
    comes from the name and is unique, and stops leading to any shop that had it before a
    rename (the live shop wins). The new shop is announced with ``seller_visibility_changed``
    (listings its owner kept from an earlier shop show it). Raises ``ValidationError`` (keyed by field where
    one is at fault) when the name is taken or the user already has a shop, and
    ``PermissionDenied`` for an inactive user.
    """
    if not user.is_active:
        raise PermissionDenied("Inactive users cannot open a shop.")
    values = _shop_values(data, creating=True)
    with transaction.atomic():
        if Shop.objects.filter(owner=user).exists():
            raise ValidationError(_("You already have a shop."), code="has_shop")
        if shop_name_taken(values["name"]):
            raise _name_taken_error(values["name"])
        shop = Shop(owner=user, **values)
        _save_shop(shop, regenerate_slug=True)
        _record_slug_change(shop)
        announce_seller_change(Shop)
    return shop


def update_shop(shop: Shop, data: Mapping[str, Any]) -> Shop:
    """Change ``shop``'s details from ``data`` and return the saved shop.

    Works from the row as stored (locked for the change), not from whatever a form
    already wrote onto ``shop``. A new name gets a new unique slug, and the old one is kept
    as a former slug (``FormerShopSlug``) so that links to it still reach the shop; the name stays
    unique ignoring case. A change is announced with ``seller_visibility_changed``.
    Raises ``ValidationError`` keyed by ``name`` when it is taken.
    """
    values = _shop_values(data, creating=False)
    with transaction.atomic():
        current = Shop.objects.select_for_update().get(pk=shop.pk)
        new_name = values.get("name", current.name)
        if shop_name_taken(new_name, exclude_pk=current.pk):
            raise _name_taken_error(new_name)
        renamed = new_name != current.name
        changed = any(getattr(current, field) != value for field, value in values.items())
        old_slug = current.slug
        for field, value in values.items():
            setattr(current, field, value)
        _save_shop(current, regenerate_slug=renamed)
        if current.slug != old_slug:
            _record_slug_change(current, old_slug=old_slug)
        if changed:
            announce_seller_change(Shop)
    return current


def update_profile(user: User, *, first_name: str, last_name: str) -> User:
    """Set the person's first and last name (trimmed)."""
    with transaction.atomic():
        user.first_name = first_name.strip()
        user.last_name = last_name.strip()
        user.save(update_fields=["first_name", "last_name"])
    return user


def deactivate_users(queryset: QuerySet[User], by: User) -> int:
    """Deactivate the active users in ``queryset``; return how many were deactivated.

    The acting user and superusers are never deactivated: they are left out of the
    change (callers tell staff about them). A deactivated user cannot log in, their
    sessions stop working and their listings leave the catalog (``Listing.objects.visible()``
    filters on ``seller__is_active``; the change is announced with ``seller_visibility_changed``).
    Raises ``PermissionDenied`` unless ``by`` is active staff.
    """
    if not (by.is_active and by.is_staff):
        raise PermissionDenied("Only staff can deactivate users.")
    # Resolve the selection first: MySQL cannot UPDATE a table it also reads in a subquery.
    selected = list(queryset.values_list("pk", flat=True))
    with transaction.atomic():
        targets = list(
            User.objects.filter(pk__in=selected, is_active=True)
            .exclude(pk=by.pk)
            .exclude(is_superuser=True)
            .values_list("pk", flat=True)
        )
        count = User.objects.filter(pk__in=targets, is_active=True).update(is_active=False) if targets else 0
        if count:
            refresh_hidden_sellers(targets)  # an update: no save tells accounts.signals
            announce_sellers_shown_or_hidden(User, targets)
    return count


def refused_for_deactivation(queryset: QuerySet[User], by: User) -> QuerySet[User]:
    """The active users in ``queryset`` that ``deactivate_users`` leaves alone: ``by`` and superusers."""
    return queryset.filter(Q(pk=by.pk) | Q(is_superuser=True), is_active=True)


# --- Vacation mode -----------------------------------------------------------

# How far ahead a seller may set their return date.
MAX_AWAY_DAYS = 365


def close_for_vacation(shop: Shop, until: date, message: str = "") -> Shop:
    """Close ``shop`` until ``until`` (a day after today, at most MAX_AWAY_DAYS ahead) with ``message`` for buyers.

    Its listings leave the catalog and cannot be added to carts; lines already in carts are flagged and refused
    at checkout; orders already placed go on. The change is announced (the catalog forgets its cached pages).
    Raises ``ValidationError`` keyed by ``away_until`` for a date out of range.
    """
    today = timezone.localdate()
    if until <= today:
        raise ValidationError({"away_until": _("Choose a return date after today.")})
    if until > today + timedelta(days=MAX_AWAY_DAYS):
        raise ValidationError(
            {"away_until": _("Choose a return date within %(days)d days.") % {"days": MAX_AWAY_DAYS}}
        )
    with transaction.atomic():
        current = Shop.objects.select_for_update().get(pk=shop.pk)
        current.away_until = until
        current.away_message = (message or "").strip()[:500]
        current.save(update_fields=["away_until", "away_message"])
        announce_sellers_shown_or_hidden(Shop, [current.owner_id])
    return current


def reopen_shop(shop: Shop) -> Shop:
    """End ``shop``'s vacation now (nothing happens if it is open); the change is announced."""
    with transaction.atomic():
        current = Shop.objects.select_for_update().get(pk=shop.pk)
        if current.away_until is not None:
            current.away_until = None
            current.away_message = ""
            current.save(update_fields=["away_until", "away_message"])
            announce_sellers_shown_or_hidden(Shop, [current.owner_id])
    return current


def reopen_returned_shops(today: date | None = None) -> int:
    """Reopen every shop whose return date has come (the periodic task); returns how many reopened."""
    today = today or timezone.localdate()
    with transaction.atomic():
        owners = list(Shop.objects.filter(away_until__lte=today).values_list("owner_id", flat=True))
        count = Shop.objects.filter(away_until__lte=today).update(away_until=None, away_message="")
        if count:
            refresh_hidden_sellers(owners)  # an update: no save tells accounts.signals
            announce_sellers_shown_or_hidden(Shop, owners)
    return count
