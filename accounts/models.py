from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class UserManager(BaseUserManager):
    """Users are identified by their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person using BookStore: a buyer, and a seller once they open a shop."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # Emails are written in it whoever triggers them (a buyer paying, a job); accounts.languages keeps it. A default
    # in the database too: containers of the release before, still running during a rollout, add users without it.
    language = models.CharField(
        _("language"),
        max_length=7,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        db_default="",
        help_text=_("The language of the emails we send this person: the one they last used the site in."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        # No index on is_active: with one, MariaDB reads the active users first in any query joining listings to
        # their sellers on it, and sorts all of their listings (seconds at 1,000,000 listings, measured).

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]


# Where a shop can open: the countries BookStore's national carriers serve (shipping's data migrations add
# them; a test checks each has one), so every shop can send to a buyer in its own country as well as abroad.
SHOP_COUNTRIES = ("CO", "ES", "MX", "US")


class Shop(models.Model):
    """A seller's storefront. A user sells only once they have one."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop", verbose_name=_("owner")
    )
    name = models.CharField(_("shop name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=90, unique=True)
    about = models.TextField(_("about the shop"), max_length=2000, blank=True)
    city = models.CharField(_("city"), max_length=80)
    region = models.CharField(_("region"), max_length=80, blank=True)
    country = CountryField(_("country"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Vacation mode: while set, the shop is closed (its listings leave the catalog and carts) until this day,
    # when the periodic task reopens it (accounts.services.reopen_returned_shops); the seller may reopen earlier.
    away_until = models.DateField(_("away until"), null=True, blank=True, db_index=True)
    away_message = models.TextField(_("message while away"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:shop", kwargs={"slug": self.slug})

    @property
    def is_away(self) -> bool:
        return self.away_until is not None


class FormerShopSlug(models.Model):
    """A slug a shop answered to before a rename, kept so that old links to the shop still lead to it.

    A live shop always wins over a former slug: the services delete the row when a shop takes the slug
    (a new shop, another shop's rename, or this shop renamed back), and the shop page looks for a live
    shop first.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="former_slugs", verbose_name=_("shop"))
    slug = models.SlugField(_("slug"), max_length=90, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("former slug")
        verbose_name_plural = _("former slugs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.slug


class HiddenSeller(models.Model):
    """A user whose listings buyers may not see now: deactivated, or their shop away on vacation.

    What ``User.is_active`` and ``Shop.away_until`` say, copied into a table of a few rows: the catalog excludes
    these ids from every listing query (catalog.search.queries.visible_listings) instead of reading every user for
    the inactive ones (2,000 rows per query at 100,000 listings, 20,000 at a million). Kept in step by
    accounts.visibility: each save of a user or shop that may change it (accounts.signals), each service that
    changes them in bulk, and a check of the whole table every five minutes.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("hidden seller")
        verbose_name_plural = _("hidden sellers")

    def __str__(self):
        return str(self.user_id)


class ShopStats(models.Model):
    """A shop's figures as buyers and staff see them, kept up to date by the services that change them.

    Pages read this row (joined to the shop) and never aggregate feedback or orders per view. The rating
    figures are changed by the feedback services in the same transaction as the feedback itself; the
    12-month window and the seller's standing (last 90 days) are recomputed by a daily job. A row is created
    lazily (``ShopStats.ensure``): a shop without one is a new seller with no figures yet.
    """

    shop = models.OneToOneField(
        Shop, on_delete=models.CASCADE, related_name="stats", primary_key=True, verbose_name=_("shop")
    )
    # Every visible rating ever given: the average is rating_total / rating_count.
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_total = models.PositiveIntegerField(_("sum of stars"), default=0)
    # Visible ratings of the last 12 months, and how many of them gave 4 or 5 stars.
    rated_12m = models.PositiveIntegerField(_("ratings in the last 12 months"), default=0)
    positive_12m = models.PositiveIntegerField(_("positive ratings in the last 12 months"), default=0)
    # The seller's standing over the last 90 days (feedback.standing, daily).
    orders_90d = models.PositiveIntegerField(_("orders (90 days)"), default=0)
    due_90d = models.PositiveIntegerField(_("parcels due to ship (90 days)"), default=0)
    shipped_on_time_90d = models.PositiveIntegerField(_("shipped within 2 business days (90 days)"), default=0)
    on_time_percent_90d = models.PositiveSmallIntegerField(
        _("share shipped within 2 business days (90 days), %"), null=True, blank=True
    )
    cancelled_by_seller_90d = models.PositiveIntegerField(_("cancellations by the seller (90 days)"), default=0)
    # Claims are counted once claims exist; until then it stays 0.
    claims_90d = models.PositiveIntegerField(_("claims (90 days)"), default=0)
    rated_90d = models.PositiveIntegerField(_("ratings (90 days)"), default=0)
    rating_90d = models.DecimalField(
        _("average rating (90 days)"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    window_updated_at = models.DateTimeField(_("12-month window recomputed"), null=True, blank=True)
    standing_updated_at = models.DateTimeField(_("standing recomputed"), null=True, blank=True)

    class Meta:
        verbose_name = _("shop figures")
        verbose_name_plural = _("shop figures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(positive_12m__lte=models.F("rated_12m")), name="shopstats_positive_within_rated"
            ),
        ]

    def __str__(self):
        return str(self.shop_id)

    @classmethod
    def ensure(cls, shop_id: int) -> None:
        """Create the shop's row if it has none (INSERT IGNORE: safe when two transactions race to create it).

        Change it afterwards with a relative ``UPDATE``, which reads the latest committed row whatever the
        transaction's snapshot.
        """
        cls.objects.bulk_create([cls(shop_id=shop_id)], ignore_conflicts=True)

    @property
    def has_ratings(self) -> bool:
        return self.rating_count > 0

    @property
    def average(self) -> float | None:
        """The average of every visible rating, rounded to one decimal; None without ratings."""
        if not self.rating_count:
            return None
        return round(self.rating_total / self.rating_count, 1)

    @property
    def positive_percent_12m(self) -> int | None:
        """The share of positive (4 or 5 stars) ratings over the last 12 months, in whole percent; None without any."""
        if not self.rated_12m:
            return None
        return round(100 * self.positive_12m / self.rated_12m)


def stats_of(shop: Shop | None) -> ShopStats | None:
    """The shop's figures, or None for a shop without a row yet (or no shop).

    Uses the row joined with ``select_related("...stats")`` when the caller did, without another query.
    """
    if shop is None:
        return None
    try:
        return shop.stats
    except ShopStats.DoesNotExist:
        return None
