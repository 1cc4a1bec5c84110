"""srcset renditions: made at upload, served with <picture>, and made later for photos stored before them."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from catalog.images import COVER_WIDTHS, rendition_name
from catalog.models import ListingPhoto
from catalog.services.photos import add_photos
from conftest import ListingFactory, make_image_bytes, make_upload

pytestmark = pytest.mark.django_db


def _open(name):
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_upload_stores_every_width_as_jpeg_and_webp(alice):
    listing = ListingFactory(seller=alice)
    [photo] = add_photos(listing, [make_upload(size=(1200, 1600))])
    assert photo.renditions == {"cover": list(COVER_WIDTHS), "image": [360, 720, 1080, 1200]}
    for width in COVER_WIDTHS:
        for ext, fmt in (("jpg", "JPEG"), ("webp", "WEBP")):
            image = _open(rendition_name(photo.thumbnail.name, width, ext))
            assert image.format == fmt and image.size == (width, width * 4 // 3)
    for width in (360, 720, 1080):
        assert _open(rendition_name(photo.image.name, width, "jpg")).size == (width, width * 4 // 3)
        assert _open(rendition_name(photo.image.name, width, "webp")).format == "WEBP"
    assert _open(rendition_name(photo.image.name, 1200, "webp")).size == (1200, 1600)
    listing.refresh_from_db()
    assert listing.cover_widths == list(COVER_WIDTHS)


def test_small_photo_gets_no_upscaled_large_renditions(alice):
    listing = ListingFactory(seller=alice)
    [photo] = add_photos(listing, [make_upload(size=(300, 400))])
    assert photo.renditions == {"cover": [96, 192, 360], "image": [300]}


def _cards_html(client, path):
    return client.get(path).content.decode()


def test_cards_use_picture_with_srcset_and_only_the_first_cover_is_eager(client, alice):
    for _ in range(3):
        add_photos(ListingFactory(seller=alice), [make_upload()])
    for path in ("/", "/books/?view=copies", f"/shops/{alice.shop.slug}/"):
        body = _cards_html(client, path)
        images = re.findall(r"<img [^>]*class=\"card-img-top[^>]*>", body)
        assert len(images) == 3, path
        assert 'fetchpriority="high"' in images[0] and "loading=" not in images[0]
        assert all('loading="lazy"' in img and "fetchpriority" not in img for img in images[1:])
        assert all(re.search(r'srcset="[^"]*_96w\.jpg 96w, [^"]*_360w\.jpg 360w"', img) for img in images)
        assert body.count('<source type="image/webp" srcset="') == 3
        assert "_192w.webp 192w" in body


def test_listing_page_serves_the_photo_with_srcset_eagerly(client, alice):
    listing = ListingFactory(seller=alice)
    add_photos(listing, [make_upload(size=(1200, 1600)), make_upload()])
    body = client.get(listing.get_absolute_url()).content.decode()
    first = re.search(r"<img [^>]*listing-photo[^>]*>", body).group(0)
    assert 'fetchpriority="high"' in first and "_720w.jpg 720w" in first and " 1200w" in first
    assert "_1200w.webp 1200w" in body
    assert body.count('loading="lazy"') >= 1


def test_inventory_rows_use_small_renditions(client_for, alice):
    listing = ListingFactory(seller=alice)
    add_photos(listing, [make_upload()])
    body = client_for(alice).get("/sell/").content.decode()
    assert 'sizes="48px"' in body and "_96w.webp 96w" in body
    # The row's title says what the thumbnail shows: it is decorative, and says so (HTML requires the alt).
    assert '" alt="" width="48" height="64"' in body


def test_photo_without_renditions_is_a_plain_image_until_the_command_makes_them(client, alice, settings):
    listing = ListingFactory(seller=alice)
    image = default_storage.save("listings/old.jpg", ContentFile(make_image_bytes(size=(600, 800))))
    thumb = default_storage.save("listings/old_thumb.jpg", ContentFile(make_image_bytes(size=(360, 480))))
    ListingPhoto.objects.create(listing=listing, image=image, thumbnail=thumb, width=600, height=800)
    listing.cover = thumb
    listing.save()
    body = client.get("/books/?view=copies").content.decode()
    assert "/media/listings/old_thumb.jpg" in body and "srcset" not in body

    out = io.StringIO()
    call_command("make_photo_renditions", stdout=out)
    assert "for 1 photos" in out.getvalue()
    photo = ListingPhoto.objects.get(listing=listing)
    assert photo.renditions == {"cover": list(COVER_WIDTHS[:3]), "image": [360, 600]}
    assert (Path(settings.MEDIA_ROOT) / "listings/old_thumb_96w.webp").exists()
    listing.refresh_from_db()
    assert listing.cover_widths == list(COVER_WIDTHS[:3])
    assert "old_thumb_96w.jpg 96w" in client.get("/books/?view=copies").content.decode()

    call_command("make_photo_renditions", stdout=out)  # again: nothing left to do
    assert "for 0 photos" in out.getvalue()
