"""Media storage: the shared filesystem root by default, an S3 bucket (django-storages) with MEDIA_STORAGE=s3.

S3 is moto's in-process fake: the photo goes through the seller's real upload page and photo services, then
is read back from the bucket.
"""

import io
import json

import boto3
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from moto import mock_aws
from PIL import Image

from bookstore.tests.test_settings import run_with_env
from catalog.images import rendition_name
from catalog.models import ListingPhoto
from catalog.services.photos import photo_files
from conftest import ListingFactory, make_upload

BUCKET = "bookstore-media-test"
REGION = "eu-west-1"

STORAGES_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "from django.core.files.storage import default_storage; "
    "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'], "
    "'options': settings.STORAGES['default'].get('OPTIONS', {}), "
    "'location': str(getattr(default_storage, 'location', ''))}))"
)


def test_media_default_to_the_filesystem_root(tmp_path):
    result = run_with_env({"MEDIA_ROOT": str(tmp_path / "shared")}, code=STORAGES_PROBE)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["backend"] == "django.core.files.storage.FileSystemStorage"
    assert values["location"] == str(tmp_path / "shared")


def test_media_storage_s3_selects_the_bucket():
    result = run_with_env(
        {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_REGION_NAME": REGION},
        code=STORAGES_PROBE,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["backend"] == "storages.backends.s3.S3Storage"
    assert values["options"]["bucket_name"] == BUCKET
    assert values["options"]["region_name"] == REGION
    # Objects are private to the bucket policy; names are never overwritten.
    assert values["options"]["default_acl"] is None
    assert values["options"]["file_overwrite"] is False


@pytest.fixture
def s3_media(settings, monkeypatch):
    """MEDIA_STORAGE=s3 against moto: the STORAGES entry settings.py builds, on a fresh fake bucket."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": REGION,
                    "endpoint_url": None,
                    "custom_domain": None,
                    "default_acl": None,
                    "querystring_auth": False,
                    "file_overwrite": False,
                },
            },
        }
        yield s3


@pytest.mark.django_db
def test_a_listing_photo_uploaded_by_the_seller_lands_in_the_bucket(s3_media, alice, client, settings):
    listing = ListingFactory(seller=alice, book__title="Bleak House")
    client.force_login(alice)

    response = client.post(reverse("sell:listing_photos", args=[listing.pk]), {"photos": [make_upload("front.png")]})

    assert response.status_code == 302
    photo = ListingPhoto.objects.get(listing=listing)
    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    # The photo, its thumbnail and their srcset renditions (catalog.images), all in the bucket.
    assert keys == set(photo_files(photo)) and len(keys) > 2
    webp = s3_media.get_object(Bucket=BUCKET, Key=rendition_name(photo.thumbnail.name, 96, "webp"))
    assert webp["ContentType"] == "image/webp"
    # Nothing went to the local media root.
    assert not (settings.MEDIA_ROOT).exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))

    stored = s3_media.get_object(Bucket=BUCKET, Key=photo.image.name)
    assert stored["ContentType"] == "image/jpeg"
    with Image.open(io.BytesIO(stored["Body"].read())) as image:
        assert image.format == "JPEG"
        assert image.size == (photo.width, photo.height)

    # Read back through the storage API, as the site does, and linked to the bucket.
    with default_storage.open(photo.thumbnail.name) as thumbnail, Image.open(thumbnail) as image:
        assert max(image.size) <= max(photo.width, photo.height)
    assert photo.image.url == f"https://{BUCKET}.s3.amazonaws.com/{photo.image.name}"
    assert client.get(reverse("catalog:listing", args=[listing.pk])).text.count(photo.image.url) >= 1


@pytest.mark.django_db
def test_renditions_of_older_photos_are_made_in_the_bucket(s3_media, alice, client):
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from conftest import make_image_bytes

    listing = ListingFactory(seller=alice)
    image = default_storage.save("listings/old.jpg", ContentFile(make_image_bytes(size=(600, 800))))
    thumb = default_storage.save("listings/old_thumb.jpg", ContentFile(make_image_bytes(size=(360, 480))))
    photo = ListingPhoto.objects.create(listing=listing, image=image, thumbnail=thumb, width=600, height=800)

    call_command("make_photo_renditions", stdout=io.StringIO())

    photo.refresh_from_db()
    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == set(photo_files(photo)) and "listings/old_thumb_192w.webp" in keys
    body = client.get(listing.get_absolute_url()).text
    assert f"https://{BUCKET}.s3.amazonaws.com/listings/old_360w.webp 360w" in body


@pytest.mark.django_db
def test_readiness_checks_the_bucket(s3_media, client):
    assert client.get("/readyz").json()["checks"]["media"] is True
    s3_media.delete_bucket(Bucket=BUCKET)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["media"] is False
