"""Listing photos: the services (add, remove, move, cover) and the photos page."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Listing, ListingPhoto
from catalog.services.photos import add_photos, move_photo, photo_files, remove_photo
from catalog.states import ListingStateError
from conftest import ListingFactory, make_image_bytes, make_upload

pytestmark = pytest.mark.django_db


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def ordered(listing) -> list[int]:
    return list(listing.photos.order_by("position", "id").values_list("pk", flat=True))


def cover_of(listing) -> str:
    return Listing.objects.get(pk=listing.pk).cover.name


@pytest.fixture
def listing(alice):
    return ListingFactory(seller=alice, book__title="Persuasion")


@pytest.fixture
def three_photos(listing):
    return add_photos(listing, [make_upload("1.jpg"), make_upload("2.jpg"), make_upload("3.jpg")])


def text_as_jpeg():
    return SimpleUploadedFile("notes.jpg", b"just some text, not a photo", content_type="image/jpeg")


# --- Services -----------------------------------------------------------------


def test_add_photos_stores_reencoded_files_and_sets_cover(listing, settings):
    photos = add_photos(listing, [make_upload("holiday snap.png", "PNG"), make_upload("back.jpg")])
    assert [p.position for p in photos] == [0, 1]
    assert cover_of(listing) == photos[0].thumbnail.name
    assert all(name.startswith("listings/") for p in photos for name in (p.image.name, p.thumbnail.name))
    assert not any("holiday" in str(path) for path in media_files(settings))
    # The photo, its thumbnail and the renditions recorded on its row, nothing else.
    assert media_files(settings) == stored_files_of(settings, photos)
    assert len(media_files(settings)) > 4


def stored_files_of(settings, photos) -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT) / name for photo in photos for name in photo_files(photo))


def test_photos_are_appended_after_existing_ones(listing, three_photos):
    [fourth] = add_photos(listing, [make_upload("4.jpg")])
    assert ordered(listing) == [*[p.pk for p in three_photos], fourth.pk]
    assert cover_of(listing) == three_photos[0].thumbnail.name


def test_a_sixth_photo_is_refused(listing, settings):
    add_photos(listing, [make_upload(f"{n}.jpg") for n in range(5)])
    before = media_files(settings)
    with pytest.raises(ValidationError) as info:
        add_photos(listing, [make_upload("6.jpg")])
    assert "at most 5 photos" in str(info.value)
    assert listing.photos.count() == 5 and media_files(settings) == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (text_as_jpeg, "not a photo"),
        (lambda: make_upload(size=(20, 20)), "too small"),
    ],
)
def test_bad_uploads_store_nothing(listing, settings, upload, message):
    with pytest.raises(ValidationError) as info:
        add_photos(listing, [make_upload("fine.jpg"), upload()])
    assert message in str(info.value)
    assert listing.photos.count() == 0 and media_files(settings) == [] and cover_of(listing) == ""


def test_files_are_removed_when_the_listing_vanished_meanwhile(alice, settings):
    listing = ListingFactory(seller=alice)
    Listing.objects.filter(pk=listing.pk).delete()  # deleted in another tab while the upload ran
    with pytest.raises(Listing.DoesNotExist):
        add_photos(listing, [make_upload()])
    assert media_files(settings) == []


def test_move_photo_reorders_and_moves_the_cover(listing, three_photos):
    first, second, third = three_photos
    move_photo(second, -1)
    assert ordered(listing) == [second.pk, first.pk, third.pk]
    assert cover_of(listing) == second.thumbnail.name
    move_photo(second, 1)
    move_photo(second, 1)
    assert ordered(listing) == [first.pk, third.pk, second.pk]
    assert cover_of(listing) == first.thumbnail.name


def test_move_past_either_end_changes_nothing(listing, three_photos):
    first, second, third = three_photos
    move_photo(first, -1)
    move_photo(third, 1)
    assert ordered(listing) == [first.pk, second.pk, third.pk]


def test_remove_photo_closes_the_gap_updates_cover_and_deletes_files_after_commit(
    listing, three_photos, settings, django_capture_on_commit_callbacks
):
    first, second, third = three_photos
    with django_capture_on_commit_callbacks(execute=True):
        remove_photo(first)
    assert ordered(listing) == [second.pk, third.pk]
    assert list(listing.photos.order_by("position").values_list("position", flat=True)) == [0, 1]
    assert cover_of(listing) == second.thumbnail.name
    assert media_files(settings) == stored_files_of(settings, [second, third])
    assert not (Path(settings.MEDIA_ROOT) / first.image.name).exists()


def test_removing_the_last_photo_clears_the_cover(listing, django_capture_on_commit_callbacks):
    [only] = add_photos(listing, [make_upload()])
    with django_capture_on_commit_callbacks(execute=True):
        remove_photo(only)
    assert cover_of(listing) == ""


def test_archived_listing_photos_are_read_only(listing, three_photos):
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.ARCHIVED)
    listing.refresh_from_db()
    with pytest.raises(ListingStateError):
        add_photos(listing, [make_upload()])
    with pytest.raises(ListingStateError):
        remove_photo(ListingPhoto.objects.get(pk=three_photos[0].pk))
    with pytest.raises(ListingStateError):
        move_photo(ListingPhoto.objects.get(pk=three_photos[1].pk), -1)
    assert listing.photos.count() == 3


# --- The photos page ----------------------------------------------------------


def photos_url(listing):
    return reverse("sell:listing_photos", args=[listing.pk])


def test_photos_page_shows_thumbnails_in_order(client_for, alice, listing, three_photos):
    move_photo(three_photos[2], -1)
    response = client_for(alice).get(photos_url(listing))
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(three_photos[i].thumbnail.url) for i in (0, 2, 1)]
    assert positions == sorted(positions)
    assert "3 of 5 photos" in html


def test_upload_through_the_page(client_for, alice, listing):
    response = client_for(alice).post(photos_url(listing), {"photos": [make_upload("a.jpg"), make_upload("b.jpg")]})
    assert response.status_code == 302 and response.url == photos_url(listing)
    assert listing.photos.count() == 2 and cover_of(listing)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (text_as_jpeg, "not a photo we can read"),
        (lambda: SimpleUploadedFile("huge.jpg", make_image_bytes(size=(600, 800)), "image/jpeg"), "largest side"),
        (lambda: SimpleUploadedFile("heavy.jpg", make_image_bytes(size=(600, 800)), "image/jpeg"), "too large"),
    ],
    ids=["text-renamed-jpg", "huge-dimensions", "oversized"],
)
def test_bad_upload_shows_the_error_next_to_the_field_and_stores_nothing(
    client_for, alice, listing, settings, make, message
):
    settings.PHOTO_MAX_SIDE = 700 if message == "largest side" else settings.PHOTO_MAX_SIDE
    settings.PHOTO_MAX_BYTES = 2000 if message == "too large" else settings.PHOTO_MAX_BYTES
    upload = make()
    response = client_for(alice).post(photos_url(listing), {"photos": [upload]})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_photos_errors"' in html and message in html and upload.name in html
    assert listing.photos.count() == 0 and media_files(settings) == []


def test_sixth_photo_is_refused_on_the_page(client_for, alice, listing):
    add_photos(listing, [make_upload(f"{n}.jpg") for n in range(4)])
    response = client_for(alice).post(photos_url(listing), {"photos": [make_upload("5.jpg"), make_upload("6.jpg")]})
    assert response.status_code == 400
    assert "at most 5 photos; you can add 1 more" in response.content.decode()
    assert listing.photos.count() == 4


def test_full_listing_offers_no_upload(client_for, alice, listing):
    add_photos(listing, [make_upload(f"{n}.jpg") for n in range(5)])
    html = client_for(alice).get(photos_url(listing)).content.decode()
    assert 'type="file"' not in html and "Delete one to add another" in html


def test_move_and_delete_through_the_page(client_for, alice, listing, three_photos):
    client = client_for(alice)
    first, second, third = three_photos
    url = reverse("sell:photo_move", args=[listing.pk, third.pk])
    assert client.post(url, {"direction": "up"}).status_code == 302
    assert ordered(listing) == [first.pk, third.pk, second.pk]
    response = client.post(reverse("sell:photo_delete", args=[listing.pk, first.pk]))
    assert response.status_code == 302
    assert ordered(listing) == [third.pk, second.pk]
    assert cover_of(listing) == third.thumbnail.name


def test_bad_move_direction_is_a_400(client_for, alice, listing, three_photos):
    url = reverse("sell:photo_move", args=[listing.pk, three_photos[0].pk])
    assert client_for(alice).post(url, {"direction": "sideways"}).status_code == 400
    assert ordered(listing) == [p.pk for p in three_photos]


def test_photo_of_another_listing_is_404(client_for, alice, bob, listing, three_photos):
    bobs = ListingFactory(seller=bob)
    [bobs_photo] = add_photos(bobs, [make_upload()])
    client = client_for(alice)
    # Alice's own listing id with Bob's photo id: still not hers.
    assert client.post(reverse("sell:photo_delete", args=[listing.pk, bobs_photo.pk])).status_code == 404
    assert (
        client.post(reverse("sell:photo_move", args=[listing.pk, bobs_photo.pk]), {"direction": "up"}).status_code
        == 404
    )
    assert ListingPhoto.objects.filter(pk=bobs_photo.pk).exists()


@pytest.mark.parametrize("name", ["photo_move", "photo_delete"])
def test_photo_actions_are_post_only(client_for, alice, listing, three_photos, name):
    url = reverse(f"sell:{name}", args=[listing.pk, three_photos[0].pk])
    assert client_for(alice).get(url).status_code == 405


def test_archived_listing_page_is_read_only(client_for, alice, listing, three_photos):
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.ARCHIVED)
    client = client_for(alice)
    html = client.get(photos_url(listing)).content.decode()
    assert 'type="file"' not in html and "/move/" not in html and "/delete/" not in html
    assert three_photos[0].thumbnail.url in html
    response = client.post(photos_url(listing), {"photos": [make_upload()]}, follow=True)
    assert "can no longer be changed" in response.content.decode()
    response = client.post(reverse("sell:photo_delete", args=[listing.pk, three_photos[0].pk]), follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert listing.photos.count() == 3


def test_photos_page_query_budget(client_for, alice, listing, three_photos, django_assert_max_num_queries):
    client = client_for(alice)
    client.get(photos_url(listing))
    with django_assert_max_num_queries(5):
        assert client.get(photos_url(listing)).status_code == 200
