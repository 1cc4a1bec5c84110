"""The buyer's saved shipping addresses."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from accounts.models import User
from orders.models import Address

ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


@transaction.atomic
def save_address(user: User, data: Mapping) -> Address:
    """Save an address for ``user`` from validated data, or return the identical one they saved before.

    Only the fields of ADDRESS_FIELDS are read; any other key (a posted user id, say) is ignored, so an
    address always belongs to the user passed in.
    """
    fields = {name: data.get(name) or "" for name in ADDRESS_FIELDS}
    existing = Address.objects.filter(user=user, **fields).order_by("-id").first()
    if existing is not None:
        return existing
    return Address.objects.create(user=user, **fields)
