"""Hostile uploads through the seller's real pages: refused with a message, or stored only as a clean JPEG.

A PHP script or an HTML page renamed .jpg, an image over the byte limit, a decompression bomb (a tiny PNG
that declares huge dimensions), an SVG with script: each is refused next to the photo field, and nothing is
written to the media root. A PNG that is also an HTML page (a polyglot) is a valid image, so it is accepted:
what is stored is a re-encoded JPEG under a generated name, with none of the HTML left in it. NGINX serves
/media/ with nosniff, so not even a stored file could be read as HTML (checked with the real configuration).
"""

import io
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import Listing, ListingPhoto
from catalog.services.photos import photo_files
from conftest import make_image_bytes

pytestmark = pytest.mark.django_db

NOT_A_PHOTO = "This file is not a photo we can read."
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG that would decode to width x height pixels (one compressed row repeated)."""
    row = b"\x00" + b"\x00" * width  # filter byte + one greyscale byte per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(min(height, 64))) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def polyglot_png() -> bytes:
    """A valid PNG carrying an HTML page in a text chunk and after its end."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (10, 120, 200)).save(buffer, format="PNG")
    png = buffer.getvalue()
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + png_chunk(b"tEXt", b"Comment\x00" + SCRIPT) + png[iend:] + SCRIPT


SVG = b"""<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">
<script>alert(document.cookie)</script><rect width="400" height="400" fill="red"/></svg>"""

HOSTILE = {
    "php renamed jpg": ("avatar.jpg", b"\xff\xd8\xff\xe0<?php system($_GET['c']); ?>", "image/jpeg", NOT_A_PHOTO),
    "html renamed jpg": ("page.jpg", SCRIPT, "image/jpeg", NOT_A_PHOTO),
    "svg": ("drawing.svg", SVG, "image/svg+xml", NOT_A_PHOTO),
    "svg renamed png": ("drawing.png", SVG, "image/png", NOT_A_PHOTO),
    "bomb 60000x60000": ("bomb.png", bomb_png(60_000, 60_000), "image/png", None),
    "bomb within the side limit": (
        "bomb2.png",
        bomb_png(7_999, 7_999),
        "image/png",
        "This photo has too many pixels.",
    ),
    "over the byte limit": ("big.jpg", make_image_bytes() + b"\0" * (8 * 1024 * 1024), "image/jpeg", "too large"),
}


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def new_listing_data(category_id, upload) -> dict:
    return {
        "title": "Hostile upload",
        "authors": "Mallory",
        "language": "en",
        "binding": "paperback",
        "category": category_id,
        "condition": "good",
        "price": "5.00",
        "quantity": "1",
        "action": "publish",
        "photos": upload,
    }


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_hostile_files_are_refused_on_the_new_listing_page(client_for, alice, alice_listing, settings, case):
    name, content, content_type, message = HOSTILE[case]
    client = client_for(alice)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = client.post("/sell/listings/new/", new_listing_data(alice_listing.book.category_id, upload))

    assert response.status_code == 400
    errors = response.context["form"].errors["photos"]
    assert any(name in error for error in errors), errors  # the seller is told which file
    if message:
        assert any(message in error for error in errors), errors
    html = response.content.decode()
    assert "Hostile upload" in html  # what the seller typed is kept
    assert not Listing.objects.filter(book__title="Hostile upload").exists()
    assert media_files(settings) == []


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_hostile_files_are_refused_on_the_photos_page(client_for, alice, alice_listing, settings, case):
    name, content, content_type, _message = HOSTILE[case]
    response = client_for(alice).post(
        f"/sell/listings/{alice_listing.pk}/photos/", {"photos": SimpleUploadedFile(name, content, content_type)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["photos"]
    assert not ListingPhoto.objects.exists()
    assert media_files(settings) == []


def test_a_png_html_polyglot_is_stored_only_as_a_clean_reencoded_jpeg(client_for, alice, alice_listing, settings):
    upload = SimpleUploadedFile("../../evil page.html.png", polyglot_png(), content_type="text/html")
    response = client_for(alice).post(f"/sell/listings/{alice_listing.pk}/photos/", {"photos": upload})
    assert response.status_code == 302

    photo = ListingPhoto.objects.get()
    for stored in (photo.image, photo.thumbnail):
        assert re.fullmatch(r"listings/(?:[\w-]+/)*[0-9a-f]{32}(_thumb)?\.jpg", stored.name), stored.name
    files = media_files(settings)
    # The photo, its cover crop and the sizes pages ask for (JPEG and WebP renditions), all made by Pillow.
    stored_names = {str(Path(settings.MEDIA_ROOT, name)) for name in photo_files(photo)}
    assert {str(path) for path in files} == stored_names and {path.suffix for path in files} == {".jpg", ".webp"}
    stem = Path(photo.image.name).stem
    for path in files:
        assert Path(settings.MEDIA_ROOT) in path.parents  # no "../" escape from the media root
        assert path.name.startswith(stem)  # named after the stored photo, never after the upload
        data = path.read_bytes()
        assert b"<script" not in data and b"<html" not in data and b"Comment" not in data
        expected = "JPEG" if path.suffix == ".jpg" else "WEBP"
        assert Image.open(io.BytesIO(data)).format == expected


def test_stored_photos_never_keep_the_uploaded_name(client_for, alice, alice_listing, settings):
    upload = SimpleUploadedFile("my-secret-holiday.jpg", make_image_bytes(), content_type="image/jpeg")
    client_for(alice).post(f"/sell/listings/{alice_listing.pk}/photos/", {"photos": upload})
    names = [str(path) for path in media_files(settings)]
    assert sorted(names) == sorted(str(Path(settings.MEDIA_ROOT, n)) for n in photo_files(ListingPhoto.objects.get()))
    assert not any("secret" in name or "holiday" in name for name in names)


# --- /media/ through the real NGINX configuration ---------------------------------------------------


def nginx_harness():
    try:
        from bookstore.tests import test_deploy_nginx as harness
    except ImportError:  # pragma: no cover - the deployment files are not there
        return None
    if harness.NGINX is None or harness.OPENSSL is None or not harness.TEMPLATE.is_file():
        return None
    return harness


@pytest.mark.slow
def test_media_are_served_with_nosniff_by_nginx(client_for, alice, alice_listing, settings):
    harness = nginx_harness()
    if harness is None:
        pytest.skip("needs nginx, openssl and deploy/nginx/templates/bookstore.conf.template")
    upload = SimpleUploadedFile("poly.png", polyglot_png(), content_type="image/png")
    client_for(alice).post(f"/sell/listings/{alice_listing.pk}/photos/", {"photos": upload})
    photo = ListingPhoto.objects.get()

    site = harness.Site(upstreams=[f"127.0.0.1:{harness.free_port()}"])
    try:
        shutil.copytree(settings.MEDIA_ROOT, site.media, dirs_exist_ok=True)
        for path in site.media.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        # Whatever else might end up in the media root is not run or rendered either.
        (site.media / "listings" / "planted.html").write_bytes(SCRIPT)
        http = harness.local_session(site.cert)
        with site:
            response = http.get(site.url(f"/media/{photo.image.name}"), timeout=10)
            assert response.status_code == 200
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Type"] == "image/jpeg"
            planted = http.get(site.url("/media/listings/planted.html"), timeout=10)
            assert planted.headers["X-Content-Type-Options"] == "nosniff"
            assert not planted.headers["Content-Type"].startswith("text/html")
    finally:
        site.close()
