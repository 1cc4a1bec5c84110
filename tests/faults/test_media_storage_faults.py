"""A full or read-only media directory: uploads fail with a message, never a 500, and no listing data is lost.

The media root is a real tmpfs mounted for the test (a read-only one, and a tiny one filled to the brim), so
the errors are the kernel's own EROFS and ENOSPC. Where mounting is not allowed (not root, no mount
capability) the read-only case falls back to a directory without write permission and the full case to a
storage that fails the way a full disk does.
"""

import errno
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Listing, ListingPhoto
from catalog.services.photos import add_photos
from conftest import ListingFactory, make_image_bytes, make_upload

pytestmark = pytest.mark.django_db

STORE_FAILED = "We could not store your photos just now; nothing was saved. Please try again later."


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    result = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=10)  # noqa: S603, S607
    return result.returncode == 0


@contextmanager
def tmpfs(path: Path, size: str):
    """A tmpfs of ``size`` at ``path`` (yields False when mounting is not possible here)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(path)], capture_output=True, timeout=10, check=True)  # noqa: S603, S607


def make_read_only(path: Path, mounted: bool) -> bool:
    """Make the media root read-only for real; False when only a failing storage can stand in for it."""
    if mounted:
        assert _mount("-o", "remount,ro", str(path)), "could not remount the tmpfs read-only"
        return True
    if os.geteuid() == 0:  # root writes through permissions
        return False
    for folder in [path, *(p for p in path.rglob("*") if p.is_dir())]:
        folder.chmod(0o555)
    return True


def fill_up(path: Path) -> None:
    """Write until the file system refuses (ENOSPC), then free a little: room for less than one photo."""
    filler = path / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
        os.ftruncate(fd, max(0, os.fstat(fd).st_size - 2048))
    finally:
        os.close(fd)


class FailingStorage(FileSystemStorage):
    """Fails like a full or read-only disk; used only where neither a tmpfs nor permissions can make one."""

    def __init__(self, error: int, **kwargs):
        super().__init__(**kwargs)
        self.error = error

    def _save(self, name, content):
        raise OSError(self.error, os.strerror(self.error), name)


@contextmanager
def photo_storage(storage):
    """Photos saved through ``storage`` for a while (None: the configured one, untouched)."""
    field = ListingPhoto._meta.get_field("image")
    original = field.storage
    field.storage = storage or original
    try:
        yield
    finally:
        field.storage = original


def media_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != "filler.bin"
    }


def listing_rows() -> list:
    return [
        list(Listing.objects.order_by("pk").values()),
        list(ListingPhoto.objects.order_by("pk").values()),
    ]


def new_listing_post(category_id) -> dict:
    return {
        "title": "Typed with care",
        "authors": "A. Seller",
        "language": "en",
        "binding": "paperback",
        "category": category_id,
        "condition": "good",
        "condition_notes": "Spine slightly faded.",
        "price": "12.00",
        "quantity": "2",
        "action": "publish",
        "photos": SimpleUploadedFile("cover.jpg", make_image_bytes(), content_type="image/jpeg"),
    }


def assert_uploads_refused_and_nothing_lost(client, listing, media: Path) -> None:
    files, rows = media_files(media), listing_rows()

    more = client.post(f"/sell/listings/{listing.pk}/photos/", {"photos": make_upload("more.jpg")})
    assert more.status_code == 400
    assert STORE_FAILED in more.content.decode()

    new = client.post("/sell/listings/new/", new_listing_post(listing.book.category_id))
    assert new.status_code == 400
    html = new.content.decode()
    assert STORE_FAILED in html
    # What the seller typed comes back in the form.
    assert 'value="Typed with care"' in html and "Spine slightly faded." in html and 'value="12.00"' in html

    assert listing_rows() == rows
    assert media_files(media) == files  # the photos already there are intact, nothing half-written is left
    page = client.get(listing.get_absolute_url())
    assert page.status_code == 200 and listing.book.title in page.content.decode()


def test_a_read_only_media_directory(client_for, alice, settings, tmp_path):
    media = tmp_path / "media-ro"
    settings.MEDIA_ROOT = media
    with tmpfs(media, "4m") as mounted:
        listing = ListingFactory(seller=alice, book__title="Kept Safe")
        add_photos(listing, [make_upload("first.jpg")])
        really = make_read_only(media, mounted)
        try:
            with photo_storage(None if really else FailingStorage(errno.EROFS, location=media)):
                client = client_for(alice)
                assert_uploads_refused_and_nothing_lost(client, listing, media)
            if really:  # the readiness probe tells the load balancer too
                ready = client.get("/readyz")
                assert ready.status_code == 503 and ready.json()["checks"] == {"database": True, "media": False}
        finally:
            if not mounted:
                for folder in [media, *(p for p in media.rglob("*") if p.is_dir())]:
                    folder.chmod(0o755)


def test_a_full_media_directory(client_for, alice, settings, tmp_path):
    media = tmp_path / "media-full"
    settings.MEDIA_ROOT = media
    with tmpfs(media, "256k") as mounted:
        listing = ListingFactory(seller=alice, book__title="Kept Safe")
        add_photos(listing, [make_upload("first.jpg")])
        if mounted:
            fill_up(media)
        with photo_storage(None if mounted else FailingStorage(errno.ENOSPC, location=media)):
            assert_uploads_refused_and_nothing_lost(client_for(alice), listing, media)
