"""A listing's photos: add, remove and reorder them, keeping listing.cover in step.

Uploads are proven to be images and re-encoded by catalog.images.process_photo
before any transaction starts; the files are written through the storage API
before the rows, and removed again if the rows cannot be written. Files of
removed photos are deleted only after the commit, so a rollback never leaves a
row pointing at a missing file.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.book_stats import refresh_book_stats
from catalog.cache import catalog_changed
from catalog.images import ProcessedPhoto, process_photo, rendition_name
from catalog.models import Listing, ListingPhoto
from catalog.states import ensure_editable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredPhoto:
    """A processed photo already written to storage, waiting for its database row."""

    image: str
    thumbnail: str
    width: int
    height: int
    renditions: dict = None
    rendition_files: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.image, self.thumbnail, *self.rendition_files)


def rendition_files(image: str, thumbnail: str, renditions: dict | None) -> list[str]:
    """Every rendition file of a photo (whose files are ``image`` and ``thumbnail``), by its stored widths."""
    names = []
    for kind, base in (("cover", thumbnail), ("image", image)):
        widths = sorted((renditions or {}).get(kind, []))
        for width in widths:
            # The photo's own width is the photo itself as JPEG: only its WebP is a rendition.
            full = kind == "image" and width == widths[-1]
            names.extend(rendition_name(base, width, ext) for ext in (("webp",) if full else ("jpg", "webp")))
    return names


def photo_files(photo: ListingPhoto) -> list[str]:
    """Every stored file of a listing photo: the photo, its thumbnail and its renditions."""
    return [
        photo.image.name,
        photo.thumbnail.name,
        *rendition_files(photo.image.name, photo.thumbnail.name, photo.renditions),
    ]


def save_renditions(image: str, thumbnail: str, renditions: dict, written: list[str]) -> None:
    """Write rendition files under their derived names (replacing any left from an earlier run)."""
    storage = _image_field().storage
    for kind, base in (("cover", thumbnail), ("image", image)):
        for width, encoded in renditions.get(kind, {}).items():
            for ext, data in encoded.items():
                name = rendition_name(base, width, ext)
                if storage.exists(name):
                    storage.delete(name)
                written.append(name)
                saved = storage.save(name, ContentFile(data, name=name))
                if saved != name:  # a page derives the name from the base file: it must be exact
                    written.append(saved)
                    raise OSError(f"storage saved {name} as {saved}")


def _image_field():
    return ListingPhoto._meta.get_field("image")


def check_photo_limit(existing: int, adding: int) -> None:
    """Raise ValidationError on "photos" when existing + adding exceeds settings.PHOTOS_PER_LISTING."""
    limit = settings.PHOTOS_PER_LISTING
    if existing + adding > limit:
        room = max(limit - existing, 0)
        raise ValidationError(
            {
                "photos": _("A listing can have at most %(limit)s photos; you can add %(room)s more.")
                % {"limit": limit, "room": room}
            },
            code="too_many_photos",
        )


def prepare_photos(uploads: Sequence[UploadedFile]) -> list[ProcessedPhoto]:
    """Validate and re-encode every upload; nothing is stored.

    Raises ValidationError on "photos" naming each file that is not an
    acceptable image, so the seller knows which one to replace.
    """
    processed: list[ProcessedPhoto] = []
    errors: list[ValidationError] = []
    for upload in uploads:
        try:
            processed.append(process_photo(upload))
        except ValidationError as exc:
            errors.extend(
                ValidationError(
                    _("%(name)s: %(problem)s"), code="bad_photo", params={"name": upload.name, "problem": message}
                )
                for message in exc.messages
            )
    if errors:
        raise ValidationError({"photos": errors})
    return processed


def _save_file(field, content, written: list[str]) -> str:
    name = field.generate_filename(None, content.name)
    # Noted before writing: a file left half-written by a full disk is removed with the others.
    written.append(name)
    written[-1] = field.storage.save(name, content)
    return written[-1]


def store_photos(processed: Iterable[ProcessedPhoto], *, renditions: bool = False, field=None) -> list[StoredPhoto]:
    """Write processed photos (and, with ``renditions``, their srcset renditions) through the storage API.

    ``field``: the image field whose storage and folder (upload_to) the files take; a listing photo's by default.

    On failure, what was written is removed.

    Raises ValidationError on "photos" when the storage cannot take them (a full or read-only disk, an
    unreachable bucket): the seller is told to try again and nothing is kept. Anything else is re-raised.
    """
    field = field or _image_field()
    stored: list[StoredPhoto] = []
    written: list[str] = []
    try:
        for photo in processed:
            image = _save_file(field, photo.image, written)
            thumbnail = _save_file(field, photo.thumbnail, written)
            before = len(written)
            if renditions:
                save_renditions(image, thumbnail, photo.renditions or {}, written)
            stored.append(
                StoredPhoto(
                    image=image,
                    thumbnail=thumbnail,
                    width=photo.width,
                    height=photo.height,
                    renditions=photo.widths if renditions else {},
                    rendition_files=tuple(written[before:]),
                )
            )
    except OSError as exc:
        logger.error("Could not store photos: %s", exc)
        discard_files(written)
        raise ValidationError(
            {"photos": _("We could not store your photos just now; nothing was saved. Please try again later.")},
            code="storage_unavailable",
        ) from exc
    except BaseException:
        discard_files(written)
        raise
    return stored


def discard_files(names: Iterable[str]) -> None:
    """Delete files from storage, logging (not raising) failures: a stray file must not undo a seller's action."""
    storage = _image_field().storage
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete photo file %s", name)


def sync_cover(listing: Listing) -> None:
    """After any change to the listing's photos: set listing.cover (and its widths) to the first photo's thumbnail
    (or nothing), and save the listing, so that its updated_at (the version its page's photos are cached under,
    catalog/views/detail.py) moves; the catalog is told only when the cover changed."""
    first = listing.photos.order_by("position", "id").first()
    cover = first.thumbnail.name if first else ""
    widths = list((first.renditions or {}).get("cover", [])) if first else []
    cover_changed = listing.cover.name != cover or list(listing.cover_widths or []) != widths
    listing.cover = cover
    listing.cover_widths = widths
    listing.save(update_fields=["cover", "cover_widths", "updated_at"])
    if cover_changed and listing.status == Listing.Status.ACTIVE:
        refresh_book_stats([listing.book_id])  # the book's cover may be this copy's
        catalog_changed()


def attach_photos(listing: Listing, stored: Sequence[StoredPhoto]) -> list[ListingPhoto]:
    """Create rows for stored photos after the listing's existing ones; call inside a transaction.

    Raises ValidationError on "photos" when the limit would be passed.
    """
    if not stored:
        return []
    existing = list(listing.photos.order_by("position", "id").values_list("position", flat=True))
    check_photo_limit(len(existing), len(stored))
    start = (max(existing) + 1) if existing else 0
    photos = ListingPhoto.objects.bulk_create(
        ListingPhoto(
            listing=listing,
            image=photo.image,
            thumbnail=photo.thumbnail,
            width=photo.width,
            height=photo.height,
            renditions=photo.renditions or {},
            position=start + offset,
        )
        for offset, photo in enumerate(stored)
    )
    sync_cover(listing)
    return photos


def _lock(listing: Listing) -> None:
    listing.refresh_from_db(from_queryset=Listing.objects.select_for_update())
    ensure_editable(listing)


def add_photos(listing: Listing, uploads: Sequence[UploadedFile]) -> list[ListingPhoto]:
    """Add photos after the listing's existing ones, up to settings.PHOTOS_PER_LISTING in all.

    Every upload is validated before anything is stored; if one is bad, none is
    kept. Raises ValidationError on "photos" (bad file, too many photos),
    ListingStateError for an archived listing, Listing.DoesNotExist when the
    listing was deleted meanwhile; stored files are removed in every such case.
    """
    ensure_editable(listing)
    # Checked early so a seller over the limit does not wait for the images to be processed.
    check_photo_limit(listing.photos.count(), len(uploads))
    stored = store_photos(prepare_photos(uploads), renditions=True)
    try:
        with transaction.atomic():
            _lock(listing)
            photos = attach_photos(listing, stored)
    except BaseException:
        discard_files(name for photo in stored for name in photo.names)
        raise
    return photos


def _renumber(photos: list[ListingPhoto]) -> None:
    for position, photo in enumerate(photos):
        photo.position = position
    ListingPhoto.objects.bulk_update(photos, ["position"])


def remove_photo(photo: ListingPhoto) -> None:
    """Delete a photo, close the gap in the order and update the cover; files go after the commit.

    Raises ListingStateError for an archived listing.
    """
    listing = photo.listing
    names = photo_files(photo)
    with transaction.atomic():
        _lock(listing)
        ListingPhoto.objects.filter(pk=photo.pk, listing=listing).delete()
        _renumber(list(listing.photos.order_by("position", "id")))
        sync_cover(listing)
        transaction.on_commit(lambda: discard_files(names))


def move_photo(photo: ListingPhoto, offset: int) -> None:
    """Move a photo earlier (offset -1) or later (+1) in the order; the first photo is the cover.

    Moving past either end leaves the order as it is. Raises ValueError for
    another offset and ListingStateError for an archived listing.
    """
    if offset not in (-1, 1):
        raise ValueError("offset must be -1 or 1")
    listing = photo.listing
    with transaction.atomic():
        _lock(listing)
        photos = list(listing.photos.order_by("position", "id"))
        index = next((i for i, candidate in enumerate(photos) if candidate.pk == photo.pk), None)
        if index is None:
            return
        target = index + offset
        if 0 <= target < len(photos):
            photos[index], photos[target] = photos[target], photos[index]
        _renumber(photos)
        sync_cover(listing)
