"""Responsive images of listing photos: <picture> with WebP and JPEG srcsets from the stored renditions.

The renditions' names derive from the file they were made from (catalog.images.rendition_name) and their
widths are on the row (Listing.cover_widths, ListingPhoto.renditions), so no storage call but url() is made.
A photo stored before renditions existed is shown as a plain <img> until make_photo_renditions runs.
"""

from django import template
from django.core.files.storage import default_storage
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from catalog.images import rendition_name

register = template.Library()


def _srcset(storage, base: str, widths, ext: str, full: tuple[int, str] | None = None) -> str:
    entries = [(storage.url(rendition_name(base, width, ext)), width) for width in widths]
    if full:
        entries.append((full[1], full[0]))
    return ", ".join(f"{url} {width}w" for url, width in entries)


def _kept(attribute: str, value) -> bool:
    """Empty attributes are left out, but for alt: alt="" says the image is decorative (HTML requires alt)."""
    return attribute == "alt" or value not in (None, "")


def _picture(src, *, webp: str, jpeg: str, sizes: str, alt: str, width, height, css_class: str, eager: bool, style):
    loading = {"fetchpriority": "high"} if eager else {"loading": "lazy", "decoding": "async"}
    attrs = {"src": src, "alt": alt, "width": width, "height": height, "class": css_class, "style": style}
    if jpeg:
        attrs.update(srcset=jpeg, sizes=sizes)
    attrs.update(loading)
    # Joined by hand rather than with format_html_join: a page draws up to 24 of these, and this is a third of the
    # time; every value is escaped all the same.
    shown = "".join(f' {key}="{conditional_escape(value)}"' for key, value in attrs.items() if _kept(key, value))
    img = mark_safe(f"<img{shown}>")  # nosec B308 B703 - escaped just above
    if not webp:
        return img
    return format_html('<picture><source type="image/webp" srcset="{}" sizes="{}">{}</picture>', webp, sizes, img)


@register.simple_tag
def cover_picture(cover, widths, *, sizes, alt="", width=360, height=480, css_class="", eager=False, style=""):
    """A cover crop (a listing's cover or a photo's thumbnail) with its renditions for ``sizes``.

    ``eager`` marks the first cover a visitor sees: fetched at high priority and never lazily.
    """
    if not cover:
        return ""
    storage = getattr(cover, "storage", default_storage)
    widths = sorted(widths or [])
    return _picture(
        cover.url,
        webp=_srcset(storage, cover.name, widths, "webp") if widths else "",
        jpeg=_srcset(storage, cover.name, widths, "jpg") if widths else "",
        sizes=sizes,
        alt=alt,
        width=width,
        height=height,
        css_class=css_class,
        eager=eager,
        style=style,
    )


@register.simple_tag
def photo_picture(photo, *, sizes, alt="", css_class="", eager=False):
    """A listing photo at its own ratio, with the narrower renditions and itself as the widest JPEG."""
    storage = photo.image.storage
    widths = sorted((photo.renditions or {}).get("image", []))
    smaller = [width for width in widths if width < photo.width]
    return _picture(
        photo.image.url,
        webp=_srcset(storage, photo.image.name, widths, "webp") if widths else "",
        jpeg=_srcset(storage, photo.image.name, smaller, "jpg", full=(photo.width, photo.image.url)) if widths else "",
        sizes=sizes,
        alt=alt,
        width=photo.width,
        height=photo.height,
        css_class=css_class,
        eager=eager,
        style="",
    )
