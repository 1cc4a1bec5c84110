"""Opening a claim: the buyer of a shipment says it did not arrive, or is not as described."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.services.photos import discard_files, prepare_photos, store_photos
from claims.eligibility import kind_problem
from claims.errors import ClaimError
from claims.models import MESSAGE_MAX_LENGTH, Claim, ClaimEvent, ClaimPhoto
from claims.services.timeline import record
from claims.states import UNRESOLVED, ClaimKind
from orders.models import Order, Shipment

MAX_PHOTOS = 3


def open_claim(shipment: Shipment, buyer: User, kind: str, message: str, photos: Sequence[UploadedFile] = ()) -> Claim:
    """Open a claim of ``kind`` on ``shipment`` for its buyer, with a message and up to MAX_PHOTOS photos.

    Photos pass the listing photos' checks (opened and re-encoded by Pillow) and are stored before the
    transaction; they are removed again if the claim is refused. The seller is emailed after commit and has
    CLAIM_SELLER_DAYS to answer. Raises ClaimError (``not_allowed``, ``invalid_message``, ``too_many_photos``,
    ``not_eligible``, ``claim_in_progress``) or ValidationError on "photos" for a file that is not a usable image.
    """
    if buyer is None or buyer.pk != shipment.order.buyer_id:
        raise ClaimError(_("Only the buyer of this parcel can report a problem with it."), code="not_allowed")
    if kind not in ClaimKind.values:
        raise ClaimError(_("Choose what went wrong."), code="not_eligible")
    message = (message or "").strip()
    if not message or len(message) > MESSAGE_MAX_LENGTH:
        raise ClaimError(
            _("Tell the seller what happened in at most %(max)s characters.") % {"max": MESSAGE_MAX_LENGTH},
            code="invalid_message",
        )
    if len(photos) > MAX_PHOTOS:
        raise ClaimError(_("You can send at most %(max)s photos.") % {"max": MAX_PHOTOS}, code="too_many_photos")

    problem = kind_problem(shipment, kind)  # checked again under the lock; this spares storing photos for nothing
    if problem:
        raise ClaimError(problem, code="not_eligible")
    # In the claims' own folder (ClaimPhoto's upload_to), apart from the listings' photos.
    stored = store_photos(prepare_photos(photos), field=ClaimPhoto._meta.get_field("image")) if photos else []
    try:
        return _open(shipment, buyer, kind, message, stored)
    except BaseException:
        discard_files(name for photo in stored for name in photo.names)
        raise


def _open(shipment: Shipment, buyer: User, kind: str, message: str, stored) -> Claim:
    now = timezone.now()
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=shipment.order_id)
        locked = Shipment.objects.select_for_update().select_related("carrier").get(pk=shipment.pk)
        problem = kind_problem(locked, kind, now)
        if problem:
            raise ClaimError(problem, code="not_eligible")
        if Claim.objects.filter(shipment=locked, status__in=UNRESOLVED).exists():
            raise ClaimError(
                _("A claim about this parcel is already in progress: answer it on its page."), code="claim_in_progress"
            )
        claim = Claim.objects.create(
            shipment=locked,
            buyer=buyer,
            kind=kind,
            message=message,
            seller_deadline=now + timedelta(days=settings.CLAIM_SELLER_DAYS),
        )
        ClaimPhoto.objects.bulk_create(
            ClaimPhoto(claim=claim, image=p.image, thumbnail=p.thumbnail, width=p.width, height=p.height)
            for p in stored
        )
        record(claim, ClaimEvent.Action.OPENED, ClaimEvent.Role.BUYER, buyer, note=message, when=now)
    return claim
