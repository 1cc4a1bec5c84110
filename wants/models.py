"""A buyer's wants (a book they look for, with their conditions), saved searches, and the matches found for them.

Matching is indexed (wants.services.matching): a want is found by its ISBN (``isbn13``) or by its key word (the
longest of its words, ``key_word``), both indexed, so a new listing reads only the wants that could match it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalog.models import MAX_PRICE, Book, Listing

# Best first: a want's minimum condition accepts its own rank and every better one.
CONDITION_RANK = {
    Listing.Condition.AS_NEW: 6,
    Listing.Condition.FINE: 5,
    Listing.Condition.VERY_GOOD: 4,
    Listing.Condition.GOOD: 3,
    Listing.Condition.FAIR: 2,
    Listing.Condition.POOR: 1,
}
MAX_WANTS_PER_USER = 500
MAX_SEARCHES_PER_USER = 100


class Want(models.Model):
    """A book a buyer looks for: by ISBN (that edition, or any edition of the same work) or by words."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wants", verbose_name=_("buyer")
    )
    isbn13 = models.CharField(_("ISBN-13"), max_length=13, blank=True)
    any_edition = models.BooleanField(_("any edition of the same work"), default=False)
    title = models.CharField(_("title words"), max_length=200, blank=True)
    author = models.CharField(_("author words"), max_length=200, blank=True)
    # The folded words every matching listing's title and authors must hold (space-separated), and the longest
    # of them, by which the want is found. Empty for a want of one edition only (found by its ISBN).
    words = models.CharField(max_length=500, blank=True, editable=False)
    key_word = models.CharField(max_length=84, blank=True, editable=False)
    min_condition = models.CharField(
        _("minimum condition"), max_length=12, choices=Listing.Condition.choices, default=Listing.Condition.GOOD
    )
    max_price = models.DecimalField(
        _("highest price with shipping"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    country = CountryField(_("ships to"))
    language = models.CharField(_("language"), max_length=8, choices=Book.Language.choices, blank=True)
    binding = models.CharField(_("binding"), max_length=16, choices=Book.Binding.choices, blank=True)
    paused = models.BooleanField(_("paused"), default=False)
    # The language the buyer used when adding it: their digest is written in it.
    site_language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("want")
        verbose_name_plural = _("wants")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["isbn13"], name="want_isbn_idx"),
            models.Index(fields=["key_word"], name="want_key_word_idx"),
            models.Index(fields=["user", "-created_at"], name="want_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_price__isnull=True) | models.Q(max_price__gt=0, max_price__lte=MAX_PRICE),
                name="want_max_price_range",
            ),
        ]

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        if self.isbn13 and not self.any_edition:
            return _("ISBN %(isbn)s") % {"isbn": self.isbn13}
        text = " · ".join(part for part in (self.title, self.author) if part)
        if self.isbn13:
            return _("%(text)s (any edition of ISBN %(isbn)s)") % {"text": text, "isbn": self.isbn13}
        return text


class SavedSearch(models.Model):
    """A catalog search whose new results the buyer wants by email (the validated query string of /books/)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches", verbose_name=_("buyer")
    )
    query = models.CharField(_("search"), max_length=1000)
    q = models.CharField(_("words"), max_length=200)
    key_word = models.CharField(max_length=84, editable=False)
    paused = models.BooleanField(_("paused"), default=False)
    site_language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE, editable=False)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["key_word"], name="savedsearch_key_word_idx"),
            models.Index(fields=["user", "-created_at"], name="savedsearch_user_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["user", "query"], name="savedsearch_unique_per_user")]

    def __str__(self):
        return self.q


class Match(models.Model):
    """A listing found for a want or a saved search: recorded once, told once (badge, then the daily digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="want_matches", verbose_name=_("buyer")
    )
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+", verbose_name=_("listing"))
    want = models.ForeignKey(
        Want, on_delete=models.CASCADE, null=True, blank=True, related_name="matches", verbose_name=_("want")
    )
    saved_search = models.ForeignKey(
        SavedSearch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("saved search"),
    )
    price = models.DecimalField(_("price with shipping"), max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "seen_at"], name="match_unseen_idx"),
            models.Index(fields=["emailed_at", "user"], name="match_digest_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["want", "listing"], name="match_once_per_want"),
            models.UniqueConstraint(fields=["saved_search", "listing"], name="match_once_per_search"),
            models.CheckConstraint(
                condition=models.Q(want__isnull=False, saved_search__isnull=True)
                | models.Q(want__isnull=True, saved_search__isnull=False),
                name="match_want_or_search",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.listing_id}"
