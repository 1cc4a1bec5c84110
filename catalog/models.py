import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.shop_stock import counted_fields_in, shop_stock_changed

MAX_PRICE = Decimal("99999.99")
MIN_PRICE = Decimal("0.01")
MAX_QUANTITY = 999
SKU_MAX_LENGTH = 40
# Letters, digits and . _ - / : what sellers' stock codes use, and safe in a spreadsheet and a URL.
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
_SKU_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_sku() -> str:
    """A new stock code for a listing whose seller gave none: "BS-" and 8 random characters (40 bits).

    Random rather than counted, so a listing needs no id first and bulk imports make codes without a query; the
    (seller, sku) constraint catches the rare repeat.
    """
    return "BS-" + "".join(secrets.choice(_SKU_ALPHABET) for _ in range(8))


class Category(models.Model):
    """A shelf of the shop (Fiction, History, ...). Edited by staff."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=90, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


# The book's columns each listing carries a copy of (see Listing.book_language); kept in step by Book.save(),
# Listing.save() and ListingQuerySet.bulk_create()/bulk_update().
BOOK_COPIED_FIELDS = {"language": "book_language", "binding": "book_binding", "category_id": "book_category_id",
                      "title": "book_title", "authors": "book_authors"}  # fmt: skip


class Book(models.Model):
    """The work as published: shared by every copy any seller lists."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        FRENCH = "fr", _("French")
        GERMAN = "de", _("German")
        ITALIAN = "it", _("Italian")
        PORTUGUESE = "pt", _("Portuguese")
        OTHER = "other", _("Other")

    class Binding(models.TextChoices):
        HARDCOVER = "hardcover", _("Hardcover")
        PAPERBACK = "paperback", _("Paperback")
        MASS_MARKET = "mass_market", _("Mass-market paperback")
        LEATHER = "leather", _("Leather bound")
        SPIRAL = "spiral", _("Spiral bound")
        BOARD = "board", _("Board book")
        OTHER = "other", _("Other")

    # Unique when present; books without an ISBN (old or private editions) have NULL.
    isbn13 = models.CharField(_("ISBN-13"), max_length=13, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    authors = models.CharField(_("authors"), max_length=255, help_text=_("Separate several authors with commas."))
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1450), MaxValueValidator(2100)]
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH)
    binding = models.CharField(_("binding"), max_length=16, choices=Binding.choices, default=Binding.PAPERBACK)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="books", verbose_name=_("category"))
    description = models.TextField(_("description"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["title"]),
            # The books of each combination of the catalog's book filters (catalog.search.shelves).
            models.Index(fields=["category", "language", "binding"], name="book_shelf_cat_idx"),
            models.Index(fields=["category", "binding"], name="book_shelf_cat_bind_idx"),
            models.Index(fields=["language", "binding"], name="book_shelf_lang_idx"),
            models.Index(fields=["binding"], name="book_shelf_bind_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Save, and give the book's listings its new language, binding, shelf or title when one of them changed."""
        before = getattr(self, "_copied_as_loaded", None)
        super().save(*args, **kwargs)
        now = self._copied_values()
        if before is not None and any(before.get(name, value) != value for name, value in now.items()):
            Listing.objects.filter(book_id=self.pk).update(**{BOOK_COPIED_FIELDS[name]: now[name] for name in now})
        self._copied_as_loaded = now

    @classmethod
    def from_db(cls, db, field_names, values):
        book = super().from_db(db, field_names, values)
        book._copied_as_loaded = book._copied_values()
        return book

    def _copied_values(self) -> dict:
        return {name: getattr(self, name) for name in BOOK_COPIED_FIELDS if name in self.__dict__}


def copy_book_columns(listing: "Listing", book: "Book | None" = None) -> None:
    """Set the listing's copies of its book's language, binding, shelf, title and authors (see
    Listing.book_language)."""
    book = book if book is not None else listing.book
    for name, column in BOOK_COPIED_FIELDS.items():
        setattr(listing, column, getattr(book, name))


class ListingQuerySet(models.QuerySet):
    def visible(self):
        """What buyers may see: active listings of active sellers whose shop is not away (vacation mode)."""
        return self.filter(status=Listing.Status.ACTIVE, seller__is_active=True).exclude(
            seller__shop__away_until__isnull=False
        )

    def _with_book_columns(self, listings):
        """Fill in each listing's copies of its book's columns: from its book when loaded, else in one query."""
        missing = {listing.book_id for listing in listings if not Listing.book.is_cached(listing)}
        books = Book.objects.using(self.db).only(*BOOK_COPIED_FIELDS).in_bulk(missing) if missing else {}
        for listing in listings:
            copy_book_columns(listing, listing.book if Listing.book.is_cached(listing) else books[listing.book_id])

    # Every write below names the shops whose stock figures it may change (catalog.shop_stock).

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._with_book_columns(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        shop_stock_changed({listing.seller_id for listing in objs})
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "book" in fields or "book_id" in fields:
            self._with_book_columns(objs)
            fields = [*fields, *(column.removesuffix("_id") for column in BOOK_COPIED_FIELDS.values())]
        updated = super().bulk_update(objs, fields, *args, **kwargs)
        if counted_fields_in(fields):
            shop_stock_changed({listing.seller_id for listing in objs})
        return updated

    def update(self, **kwargs):
        # The sellers are read before the rows change: the filter may no longer match them afterwards.
        sellers = self._sellers() if counted_fields_in(kwargs) else set()
        updated = super().update(**kwargs)
        shop_stock_changed(sellers)
        return updated

    update.alters_data = True

    def delete(self):
        sellers = self._sellers()
        deleted = super().delete()
        shop_stock_changed(sellers)
        return deleted

    delete.alters_data = True

    def _sellers(self) -> set[int]:
        return set(self.order_by().values_list("seller_id", flat=True).distinct())


# What every catalog index holds after its sort order: the visibility rule's seller and each filtered column.
_COVERED = ("seller", "condition", "price", "book_language", "book_binding", "book_category")


# The inventory's search index: the shop's listings by status with the words searched, then every column an
# inventory filter or sort reads.
_SEARCHED = ("seller", "status", "book_title", "book_authors", "sku")
_INVENTORY_SORTED = ("condition_rank", "updated_at", "price", "quantity")


def _catalog_index(name: str, *leading: str) -> models.Index:
    """An index of the catalog: ``leading`` (the equality filter and the sort order), then the columns of _COVERED
    it does not hold yet, so any filter on top is checked in the index."""
    held = {field.lstrip("-") for field in leading}
    return models.Index(fields=[*leading, *(field for field in _COVERED if field not in held)], name=name)


class Listing(models.Model):
    """One seller's copies of a book: condition, price, stock and status."""

    class Condition(models.TextChoices):
        AS_NEW = "as_new", _("As New")
        FINE = "fine", _("Fine")
        VERY_GOOD = "very_good", _("Very Good")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        HIDDEN = "hidden", _("Hidden by staff")
        ARCHIVED = "archived", _("Archived")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="listings", verbose_name=_("book"))
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings", verbose_name=_("seller")
    )
    sku = models.CharField(
        _("SKU"),
        max_length=SKU_MAX_LENGTH,
        default=generate_sku,
        validators=[
            RegexValidator(SKU_PATTERN, _("Use letters, digits and . _ - / only, starting with a letter or digit."))
        ],
        help_text=_("Your own stock code for this copy, unique in your shop. Left empty, one is made for you."),
    )
    condition = models.CharField(_("condition"), max_length=12, choices=Condition.choices)
    # The grade's place from best (0) to worst, computed by the database, so the seller's inventory sorts by
    # condition from an index instead of sorting every listing of the shop (catalog.selectors.inventory_listings).
    condition_rank = models.GeneratedField(
        expression=models.Case(
            *[
                models.When(models.Q(condition=value), then=models.Value(rank))
                for rank, value in enumerate(Condition.values)
            ],
            default=models.Value(len(Condition.values)),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    condition_notes = models.TextField(_("condition notes"), max_length=2000, blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(MIN_PRICE), MaxValueValidator(MAX_PRICE)],
    )
    quantity = models.PositiveIntegerField(
        _("quantity in stock"), default=1, validators=[MaxValueValidator(MAX_QUANTITY)]
    )
    # Kept by the orders app when copies sell; a listing that ever sold is archived, never deleted.
    units_sold = models.PositiveIntegerField(_("units sold"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Where to return when staff unhide the listing.
    status_before_hidden = models.CharField(max_length=10, choices=Status.choices, blank=True, editable=False)
    hidden_reason = models.TextField(_("reason for hiding"), max_length=2000, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    # The first photo's thumbnail, kept here so catalog pages need no photo query.
    cover = models.ImageField(_("cover thumbnail"), max_length=255, blank=True, editable=False)
    # The widths of the cover's renditions (catalog.images.COVER_WIDTHS made for it), for srcset.
    cover_widths = models.JSONField(_("cover widths"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Copies of the book's columns the catalog filters and sorts by, so that every filter and sort order is read
    # from one index of this table, never from a join to the books (catalog.search). Book.save(), Listing.save()
    # and the queryset's bulk_create()/bulk_update() keep them in step (BOOK_COPIED_FIELDS). The shelf needs no
    # protection of its own: the book's already keeps a shelf with books from being deleted.
    book_language = models.CharField(max_length=8, default="", editable=False)
    book_binding = models.CharField(max_length=16, default="", editable=False)
    book_category = models.ForeignKey(
        Category, on_delete=models.DO_NOTHING, null=True, db_constraint=False, db_index=False, editable=False,
        related_name="+",
    )  # fmt: skip
    book_title = models.CharField(max_length=255, default="", editable=False)
    # The seller's inventory search reads the title and authors here, among the shop's own rows: through the book,
    # MariaDB read every book of the catalog for each search (catalog.selectors._search).
    book_authors = models.CharField(max_length=255, default="", editable=False)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-published_at", "-id"]
        # Each catalog order has an index that also holds the seller and every filtered column, so finding and
        # skipping visible, matching listings reads only the index, never the rows (catalog.search). The language,
        # binding, shelf and (one) condition filters each have an index per order that starts with them: a rare
        # language sorted by price reads its own listings only, not the whole price order
        # (catalog.search.queries.filter_indexes chooses them).
        indexes = [
            _catalog_index("listing_newest_idx", "status", "-published_at", "-id"),
            _catalog_index("listing_price_idx", "status", "price", "id"),
            _catalog_index("listing_lang_newest_idx", "status", "book_language", "-published_at", "-id"),
            _catalog_index("listing_lang_price_idx", "status", "book_language", "price", "id"),
            _catalog_index("listing_bind_newest_idx", "status", "book_binding", "-published_at", "-id"),
            _catalog_index("listing_bind_price_idx", "status", "book_binding", "price", "id"),
            _catalog_index("listing_cat_newest_idx", "status", "book_category", "-published_at", "-id"),
            _catalog_index("listing_cat_price_idx", "status", "book_category", "price", "id"),
            _catalog_index("listing_cond_newest_idx", "status", "condition", "-published_at", "-id"),
            _catalog_index("listing_cond_price_idx", "status", "condition", "price", "id"),
            models.Index(fields=["seller", "book_title"], name="listing_seller_title_idx"),
            models.Index(fields=["book", "status", "-published_at", "seller"], name="listing_book_idx"),
            models.Index(fields=["seller", "status", "-published_at", "-id"], name="listing_seller_idx"),
            # The seller's inventory (catalog.selectors.inventory_listings) pages through one shop's listings in
            # the order of a column; the primary key, in every InnoDB index, breaks ties. The quantity index also
            # holds the status, so the inventory's stock summary reads only the index (inventory_summary).
            models.Index(fields=["seller", "updated_at", "status"], name="listing_seller_updated_idx"),
            models.Index(fields=["seller", "condition_rank", "status"], name="listing_seller_condition_idx"),
            models.Index(fields=["seller", "price"], name="listing_seller_price_idx"),
            models.Index(fields=["seller", "quantity", "status"], name="listing_seller_quantity_idx"),
            # The status order: (seller, status) and the primary key InnoDB adds to it (it sorted the shop: 10 ms).
            models.Index(fields=["seller", "status"], name="listing_seller_status_idx"),
            # A search of the inventory checks its words on every listing of the shop: here, from this index alone
            # (the rows read in the order of another index took 25 ms at 20,000 listings, this 8), with every column
            # a filter or a sort of the inventory reads (catalog.selectors.inventory_page).
            models.Index(fields=[*_SEARCHED, *_INVENTORY_SORTED], name="listing_seller_search_idx"),
            # The catalog's books view, filtered by condition or price, groups the matching copies in stock by book
            # (catalog.search.books): from this index alone, in book order, without reading a row (measured at
            # 50,000 listings: 1 s without it, 0.2 s with; without the quantity, reading the rows doubled it).
            models.Index(
                fields=["status", "book", "price", "published_at", "condition", "quantity", "seller"],
                name="listing_book_stock_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="listing_price_positive"),
            models.UniqueConstraint(fields=["seller", "sku"], name="listing_sku_unique_per_seller"),
        ]

    def __str__(self):
        return f"{self.book.title} ({self.get_condition_display()})"

    def save(self, *args, **kwargs):
        """Save; a listing saved whole, or with its book, takes its book's columns (see book_language).

        They come from the book in hand, or (a query) from the database when the listing has a new book_id only.
        """
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "book" in update_fields or "book_id" in update_fields:
            new_book = self._state.adding or getattr(self, "_book_id_as_loaded", None) != self.book_id
            if Listing.book.is_cached(self) or new_book:
                copy_book_columns(self)
            if update_fields is not None:
                columns = [column.removesuffix("_id") for column in BOOK_COPIED_FIELDS.values()]
                kwargs["update_fields"] = [*update_fields, *columns]
        super().save(*args, **kwargs)
        self._book_id_as_loaded = self.book_id
        if counted_fields_in(update_fields):
            shop_stock_changed({self.seller_id, getattr(self, "_seller_id_as_loaded", None)})
        self._seller_id_as_loaded = self.seller_id

    def get_absolute_url(self):
        return reverse("catalog:listing", kwargs={"pk": self.pk})

    def delete(self, *args, **kwargs):
        seller_id = self.seller_id
        deleted = super().delete(*args, **kwargs)
        shop_stock_changed({seller_id})
        return deleted

    @classmethod
    def from_db(cls, db, field_names, values):
        listing = super().from_db(db, field_names, values)
        listing._book_id_as_loaded = listing.__dict__.get("book_id")
        listing._seller_id_as_loaded = listing.__dict__.get("seller_id")
        return listing

    # Django's own get_FOO_display() builds a dictionary of the choices on every call; pages that show a grade
    # and a status per row (the inventory, the catalog) read these lookups instead.
    def get_condition_display(self):
        return str(CONDITION_LABELS.get(self.condition, self.condition))

    def get_status_display(self):
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.ACTIVE and self.seller.is_active

    @property
    def in_stock(self) -> bool:
        return self.quantity > 0


class BookStats(models.Model):
    """A book's copies on sale as the catalog's books view shows them, kept in step with its listings.

    One row per book with at least one copy for sale (a visible listing in stock: catalog.search.visible_listings
    and a quantity above zero); a book without one has no row. Every service that changes a listing's price,
    status, stock or cover, a book's details, or a seller's visibility rewrites the rows of the books concerned in
    the same transaction (catalog.book_stats.refresh_book_stats), so the books view reads a page of books from
    this table's indexes instead of grouping every listing. ``manage.py rebuild_book_stats`` writes them all again.
    The book's category, language and binding are copied here so that each filter and sort has one index.
    """

    book = models.OneToOneField(
        Book, on_delete=models.CASCADE, related_name="stats", primary_key=True, verbose_name=_("book")
    )
    copies = models.PositiveIntegerField(_("copies for sale"), default=0)
    lowest_price = models.DecimalField(_("lowest price"), max_digits=12, decimal_places=2)
    newest = models.DateTimeField(_("latest published"), null=True, blank=True)
    # The best and the worst condition on sale: their places in Listing.Condition (0 As New ... 5 Poor).
    best_rank = models.PositiveSmallIntegerField(_("best condition"), default=0)
    worst_rank = models.PositiveSmallIntegerField(_("worst condition"), default=0)
    # Copied from the book for the filters.
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("category")
    )
    language = models.CharField(_("language"), max_length=8)
    binding = models.CharField(_("binding"), max_length=16)
    # The cover of the cheapest copy on sale that has a photo (Listing.cover and its rendition widths).
    cover = models.ImageField(_("cover thumbnail"), max_length=255, blank=True)
    cover_widths = models.JSONField(_("cover widths"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("book figures")
        verbose_name_plural = _("book figures")
        # One index per sort order of the books view (newest, lowest price up or down, read backwards for the
        # descending orders), alone and after each filter on the book; the book id breaks ties.
        indexes = [
            models.Index(fields=["newest", "book"], name="bookstats_newest_idx"),
            models.Index(fields=["lowest_price", "book"], name="bookstats_price_idx"),
            models.Index(fields=["category", "newest", "book"], name="bookstats_cat_newest_idx"),
            models.Index(fields=["category", "lowest_price", "book"], name="bookstats_cat_price_idx"),
            models.Index(fields=["language", "newest", "book"], name="bookstats_lang_newest_idx"),
            models.Index(fields=["language", "lowest_price", "book"], name="bookstats_lang_price_idx"),
            models.Index(fields=["binding", "newest", "book"], name="bookstats_bind_newest_idx"),
            models.Index(fields=["binding", "lowest_price", "book"], name="bookstats_bind_price_idx"),
        ]

    def __str__(self):
        return str(self.book_id)


def photo_upload_to(instance, filename):
    # Names are generated by catalog.images; this only chooses the folder.
    return f"listings/{filename}"


class ListingPhoto(models.Model):
    """A photo of the seller's copy, re-encoded on upload, with its thumbnail."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos", verbose_name=_("listing"))
    image = models.ImageField(_("image"), upload_to=photo_upload_to, max_length=255)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_upload_to, max_length=255)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    # {"cover": [96, 192, ...], "image": [360, ..., width]}: the renditions stored beside the files
    # (catalog.images.rendition_name); empty for a photo made before them, until make_photo_renditions runs.
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("listing photo")
        verbose_name_plural = _("listing photos")
        ordering = ["position", "id"]

    def __str__(self):
        return f"Photo {self.position + 1} of listing {self.listing_id}"


CONDITION_LABELS = dict(Listing.Condition.choices)
STATUS_LABELS = dict(Listing.Status.choices)


class Report(models.Model):
    """A buyer's flag on a listing, queued for staff."""

    class Reason(models.TextChoices):
        COUNTERFEIT = "counterfeit", _("Counterfeit or pirated copy")
        MISDESCRIBED = "misdescribed", _("Wrong book or condition")
        PROHIBITED = "prohibited", _("Prohibited item")
        OFFENSIVE = "offensive", _("Offensive content")
        SPAM = "spam", _("Spam or scam")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACTIONED = "actioned", _("Listing hidden")
        DISMISSED = "dismissed", _("Dismissed")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reports", verbose_name=_("listing"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports", verbose_name=_("reported by")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    text = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution_note = models.TextField(_("resolution note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue_idx")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.listing_id}"


class Appeal(models.Model):
    """A seller asking staff to look again at their hidden listing; staff unhide it or keep it hidden, with a note
    the seller reads on their inventory."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for staff")
        ACCEPTED = "accepted", _("Listing unhidden")
        REJECTED = "rejected", _("Listing stays hidden")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("listing"))
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("seller")
    )
    # The reason the seller answered: unhiding clears it from the listing.
    hidden_reason = models.TextField(_("reason for hiding"), max_length=2000, blank=True)
    text = models.TextField(_("seller's message"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    staff_note = models.TextField(_("note to the seller"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="appeal_queue_idx")]

    def __str__(self):
        return f"{self.get_status_display()}: {self.listing_id}"


def import_upload_to(instance, filename):
    # Kept for the apply step only, under an unguessable name: the seller's file is theirs, not a public page.
    return f"private/imports/{instance.seller_id}/{uuid.uuid4().hex}/{filename}"


class ImportRun(models.Model):
    """One upload of a seller's listings file: its dry-run report, then its application in batches.

    The status moves through catalog.services.imports (IMPORT_TRANSITIONS): checked (dry run done) → queued →
    applying → done, or failed (resumable from ``applied_rows``) on the way. ``applied_rows`` counts the data
    rows (line 2 and on) whose batch is committed: a batch and its progress are written in one transaction.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, not applied")
        QUEUED = "queued", _("Waiting to start")
        APPLYING = "applying", _("Applying")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped by an error")

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs", verbose_name=_("seller")
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    whole_inventory = models.BooleanField(_("pause listings missing from the file"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    applied_rows = models.PositiveIntegerField(_("rows applied"), default=0)
    # What the dry run expects, then (once applying) what was really done.
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    refused_count = models.PositiveIntegerField(_("refused"), default=0)
    paused_count = models.PositiveIntegerField(_("paused as missing"), default=0)
    # Each refused row: {"line": int, "column": str, "value": str, "message": str}.
    row_errors = models.JSONField(_("refused rows"), default=list, blank=True)
    failure = models.TextField(_("error that stopped it"), blank=True)
    # The language the seller checked the file in: applying it writes the refused rows' messages in it too.
    language = models.CharField(
        _("language"), max_length=7, choices=settings.LANGUAGES, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("listings import")
        verbose_name_plural = _("listings imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seller", "-created_at"], name="importrun_seller_idx")]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE or not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.applied_rows * 100 // self.rows_total)
