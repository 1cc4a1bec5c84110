"""Give listing photos stored before srcset renditions existed their renditions, through the storage API.

Safe to run again and to stop half way: a photo counts as done once its row records its renditions, which
happens only after every file is written; a run picks up the photos that still have none. Works the same on
the file system and on S3 (django-storages), since it reads and writes only through the storage.

    python manage.py make_photo_renditions [--batch 200] [--limit N]
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image

from catalog.images import make_renditions
from catalog.models import Listing, ListingPhoto
from catalog.services.photos import discard_files, save_renditions, sync_cover


class Command(BaseCommand):
    help = "Make the srcset renditions (JPEG and WebP at several widths) of listing photos that have none."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200, help="photos read per query (default 200)")
        parser.add_argument("--limit", type=int, default=0, help="stop after this many photos (0: all)")

    def handle(self, *args, batch, limit, **options):
        done = failed = 0
        last_pk = 0
        while True:
            photos = list(ListingPhoto.objects.filter(pk__gt=last_pk).order_by("pk")[: max(batch, 1)])
            if not photos:
                break
            for photo in photos:
                last_pk = photo.pk
                if photo.renditions:
                    continue
                if limit and done >= limit:
                    break
                if self._make(photo):
                    done += 1
                else:
                    failed += 1
            if limit and done >= limit:
                break
        self.stdout.write(f"Made renditions for {done} photos; {failed} could not be read.")

    def _make(self, photo: ListingPhoto) -> bool:
        written: list[str] = []
        try:
            with photo.image.storage.open(photo.image.name, "rb") as handle:
                image = Image.open(handle)
                image.load()
            made = make_renditions(image.convert("RGB"))
            save_renditions(photo.image.name, photo.thumbnail.name, made, written)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:  # one bad file must not stop the run
            discard_files(written)
            self.stderr.write(f"Photo {photo.pk} ({photo.image.name}): {exc}")
            return False
        widths = {kind: sorted(sizes) for kind, sizes in made.items()}
        with transaction.atomic():
            listing = Listing.objects.select_for_update().get(pk=photo.listing_id)
            ListingPhoto.objects.filter(pk=photo.pk).update(renditions=widths)
            sync_cover(listing)
        return True
