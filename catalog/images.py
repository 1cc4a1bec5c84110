"""Photo intake: prove an upload is an image with Pillow, then re-encode it.

Nothing the browser sent is stored as it came: the file is opened and fully
decoded by Pillow (which refuses non-images, polyglots it cannot parse and
decompression bombs), checked against size and dimension limits, stripped of
metadata by re-encoding to JPEG, and given a generated name. A thumbnail is
made once here, never per request, and so are the smaller and larger renditions
pages pick from with srcset: the cover crop at COVER_WIDTHS and the photo at
IMAGE_WIDTHS, each as JPEG and WebP, named after the file they are made from
(rendition_name), so a page needs only the widths to build its srcset.
"""

import io
import posixpath
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
DISPLAY_MAX_SIDE = 1600
THUMBNAIL_SIZE = (360, 480)
MIN_SIDE = 100
JPEG_QUALITY = 85
WEBP_QUALITY = 80
# Cover crops (3:4) for cards, carts and inventory rows: 48 to 360 CSS pixels at 1x and 2x.
COVER_WIDTHS = (96, 192, 360, 720)
# The photo itself, at its own ratio, for the listing page; never wider than the photo.
IMAGE_WIDTHS = (360, 720, 1080)
RENDITION_FORMATS = (("jpg", "image/jpeg"), ("webp", "image/webp"))


@dataclass(frozen=True)
class ProcessedPhoto:
    """A re-encoded photo and its thumbnail, ready to save through the storage API."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    # {"cover": {width: {"jpg": bytes, "webp": bytes}}, "image": {...}}, saved under rendition_name().
    renditions: dict = None

    @property
    def widths(self) -> dict[str, list[int]]:
        """The widths made of each kind, as ListingPhoto.renditions stores them."""
        return {kind: sorted(sizes) for kind, sizes in (self.renditions or {}).items()}


def _reject(message, code):
    raise ValidationError(message, code=code)


def validate_image_upload(upload) -> Image.Image:
    """Open and fully decode an uploaded file; return the image or raise ValidationError."""
    max_bytes = settings.PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        _reject(
            _("This photo is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576, 1)},
            "too_large",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        _reject(
            _("This photo is too large; the limit is %(limit)s MB.") % {"limit": max_bytes // 1_048_576}, "too_large"
        )

    not_an_image = _("This file is not a photo we can read. Upload a JPEG, PNG, WebP or GIF image.")
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses a bomb; treat the warning as a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                _reject(not_an_image, "bad_format")
            width, height = probe.size
            if width > settings.PHOTO_MAX_SIDE or height > settings.PHOTO_MAX_SIDE:
                _reject(
                    _("This photo is %(w)s by %(h)s pixels; the largest side may be %(max)s pixels.")
                    % {"w": width, "h": height, "max": settings.PHOTO_MAX_SIDE},
                    "too_big_dimensions",
                )
            if width * height > settings.PHOTO_MAX_PIXELS:
                _reject(_("This photo has too many pixels."), "too_many_pixels")
            if width < MIN_SIDE or height < MIN_SIDE:
                _reject(
                    _("This photo is too small; each side needs at least %(min)s pixels.") % {"min": MIN_SIDE},
                    "too_small",
                )
            probe.verify()  # structural check; the image must be reopened afterwards
            image = Image.open(io.BytesIO(data))
            image.load()  # full decode: truncated or corrupt data fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(not_an_image, code="not_an_image") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(not_an_image, code="not_an_image") from exc
    return image


def _encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _encode_webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def rendition_name(name: str, width: int, ext: str) -> str:
    """The storage name of a rendition of ``name``: ``listings/abc_thumb.jpg`` -> ``listings/abc_thumb_96w.webp``."""
    root, _ext = posixpath.splitext(name)
    return f"{root}_{width}w.{ext}"


def make_renditions(image: Image.Image) -> dict[str, dict[int, dict[str, bytes]]]:
    """Encode the cover crops and the smaller copies of a display-sized RGB image, as JPEG and WebP.

    Cover crops up to 360 wide are always made (the thumbnail is that size too); 720 only when the photo has
    the pixels for it. Photo copies are made only narrower than the photo, which is itself the widest.
    """
    renditions: dict[str, dict[int, dict[str, bytes]]] = {"cover": {}, "image": {}}
    for width in COVER_WIDTHS:
        height = width * THUMBNAIL_SIZE[1] // THUMBNAIL_SIZE[0]
        if width > THUMBNAIL_SIZE[0] and (image.width < width or image.height < height):
            continue
        crop = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
        renditions["cover"][width] = {"jpg": _encode_jpeg(crop), "webp": _encode_webp(crop)}
    for width in IMAGE_WIDTHS:
        if width >= image.width:
            continue
        copy = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
        renditions["image"][width] = {"jpg": _encode_jpeg(copy), "webp": _encode_webp(copy)}
    renditions["image"][image.width] = {"webp": _encode_webp(image)}
    return renditions


def _to_rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def process_photo(upload) -> ProcessedPhoto:
    """Validate an upload and return its re-encoded JPEG and thumbnail under new random names.

    Raises ValidationError (with a message for the seller) when the upload is not
    an acceptable image. Saving is the caller's job, through the storage API.
    """
    image = _to_rgb(validate_image_upload(upload))
    image.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = ImageOps.fit(image, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        image=ContentFile(_encode_jpeg(image), name=f"{stem}.jpg"),
        thumbnail=ContentFile(_encode_jpeg(thumb), name=f"{stem}_thumb.jpg"),
        width=image.width,
        height=image.height,
        renditions=make_renditions(image),
    )
