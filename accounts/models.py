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
