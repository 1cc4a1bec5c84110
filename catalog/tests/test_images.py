import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.images import process_photo
from conftest import make_image_bytes, make_upload


def test_jpeg_is_reencoded_with_new_name_and_thumbnail():
    processed = process_photo(make_upload("my holiday.jpg", size=(2400, 3200)))
    assert processed.image.name.endswith(".jpg") and "holiday" not in processed.image.name
    assert processed.thumbnail.name.endswith("_thumb.jpg")
    assert max(processed.width, processed.height) == 1600
    thumb = Image.open(io.BytesIO(processed.thumbnail.read()))
    assert thumb.format == "JPEG" and thumb.size == (360, 480)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
def test_other_image_formats_are_accepted_and_become_jpeg(fmt):
    upload = SimpleUploadedFile(f"photo.{fmt.lower()}", make_image_bytes(fmt), content_type="image/png")
    processed = process_photo(upload)
    assert Image.open(io.BytesIO(processed.image.read())).format == "JPEG"


def test_text_file_renamed_jpg_is_refused():
    upload = SimpleUploadedFile("evil.jpg", b"<?php system($_GET['c']); ?>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a photo"):
        process_photo(upload)


def test_truncated_image_is_refused():
    data = make_image_bytes("PNG")[:200]
    with pytest.raises(ValidationError, match="not a photo"):
        process_photo(SimpleUploadedFile("cut.png", data))


def test_file_over_the_byte_limit_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="too large"):
        process_photo(make_upload())


def test_huge_dimensions_are_refused_before_decoding(settings):
    settings.PHOTO_MAX_SIDE = 500
    with pytest.raises(ValidationError, match="largest side"):
        process_photo(make_upload(size=(600, 400)))


def test_tiny_image_is_refused():
    with pytest.raises(ValidationError, match="too small"):
        process_photo(make_upload(size=(20, 20)))


def test_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError):
        process_photo(SimpleUploadedFile("x.svg", svg, content_type="image/svg+xml"))
