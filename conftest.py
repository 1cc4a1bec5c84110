"""Shared test set-up: fast settings, factories and the personas every view test uses.

Personas (healthchecks style):
- alice: a seller with a shop and listings;
- bob: another seller with his own shop (the "other seller" in ownership tests);
- charlie: a buyer without a shop;
- staff: a staff member for the admin.

Every user the factory makes has a confirmed email address, as buying and selling need.
"""

import io
import os
import socket
import subprocess
import time
from decimal import Decimal

import factory
import factory.random
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from accounts.models import Shop, User
from catalog.book_stats import refresh_book_stats
from catalog.models import Book, Category, Listing

PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Template fragments are cached as in production (settings.FRAGMENT_CACHE), although the settings load with
    # DEBUG on, which turns that cache off for developers.
    settings.CACHES = {**settings.CACHES, "fragments": settings.FRAGMENT_CACHE}


@pytest.fixture(autouse=True)
def _language_stays_in_its_test():
    """A request leaves its language active in the thread (LocaleMiddleware): the next test starts as this one did."""
    from django.utils import translation

    with translation.override(translation.get_language()):
        yield


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Each test writes media into its own folder and starts with empty caches."""
    from django.core.cache import cache, caches

    from catalog.search.shelves import forget_sizes
    from catalog.search.suggest import forget_local_vocabulary

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    caches["fragments"].clear()
    forget_local_vocabulary()  # the process's copy of the search vocabulary goes with the cache
    forget_sizes()  # and its numbers of the catalog's shelves (catalog.search.shelves)
    yield
    cache.clear()


# --- Helpers ----------------------------------------------------------------

mysql_only = pytest.mark.skipif(
    connection.vendor != "mysql", reason="needs MySQL/MariaDB (row locks, FULLTEXT); run with DATABASE_URL=mysql://..."
)

# The Redis server of the tests that need one (the cache as production runs it).
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
# Parallel test processes (pytest-xdist workers) and checkouts share that database: every cache a test builds on it
# takes a key prefix of its own process, and core.cache.RedisCache.clear() deletes only the keys under its
# prefix. No test may FLUSHDB a database it does not own (the fault tests start Redis servers of their own).
REDIS_TEST_PREFIX = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"


def redis_answers(url: str = REDIS_TEST_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


needs_redis = pytest.mark.skipif(
    not redis_answers(), reason=f"needs a Redis server at {REDIS_TEST_URL} (REDIS_TEST_URL)"
)


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 15, process: subprocess.Popen | None = None) -> None:
    """Return once something accepts connections on 127.0.0.1:port; fail early if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class RedisServer:
    """A redis-server of a test's own on a free port, without persistence; stopped when the test ends."""

    BINARY = "/usr/bin/redis-server"

    def __init__(self, workdir, *, persistent: bool = False):
        self.port = free_port()
        self.workdir = workdir
        # Persistent: every write is in the append-only file before Redis answers, so a restart keeps it all.
        self.persistence = ["--appendonly", "yes", "--appendfsync", "always"] if persistent else ["--appendonly", "no"]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            self.BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *self.persistence,
            "--dir", str(self.workdir), "--protected-mode", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - fixed command
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for_port(self.port, seconds=10, process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # as a crash or a lost host would: no goodbye to the clients
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path_factory):
    """redis_server(persistent=False) starts a Redis server of the test's own; all are stopped at its end."""
    if not os.path.exists(RedisServer.BINARY):
        pytest.skip(f"needs {RedisServer.BINARY} (apt-get install redis-server)")
    started = []

    def start(*, persistent: bool = False) -> RedisServer:
        server = RedisServer(tmp_path_factory.mktemp("redis"), persistent=persistent)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def steady_ratelimit_clock(monkeypatch):
    """django-ratelimit counts in fixed windows of wall-clock time: a test's hits could straddle the end of one and
    start again from zero. Its clock (only its own) stands still for the test instead."""
    import types

    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))


def make_image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (600, 800), color=(120, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def make_upload(name: str = "cover.jpg", fmt: str = "JPEG", size=(600, 800), content_type="image/jpeg"):
    return SimpleUploadedFile(name, make_image_bytes(fmt, size), content_type=content_type)


# --- Factories --------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def email_verified(obj, create, extracted, **kwargs):
        """A confirmed address, as buying and selling need (``UserFactory(email_verified=False)`` for none)."""
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    city = "Bogotá"
    region = "Cundinamarca"
    country = "CO"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


# The words of the books the factories make up. Faker's own are English words and real names ("book", "nothing",
# "Rose", "Herbert", "Marquez"): a made-up book would now and then match a test's search. These are no word of the
# project's code or tests, and share no first three letters with one (a search also matches by prefix).
FILLER_WORDS = ["katol", "dabor", "gupir", "gekisi", "fekiva", "nipul", "lotur", "bikifo", "gogaba", "mevoma"]


def _made_up_name() -> str:
    return " ".join(factory.random.randgen.choice(FILLER_WORDS).capitalize() for _ in range(2))


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book

    isbn13 = None
    title = factory.Faker("sentence", nb_words=3, ext_word_list=FILLER_WORDS)
    authors = factory.LazyFunction(_made_up_name)
    publisher = "Penguin"
    year = 1999
    language = Book.Language.ENGLISH
    binding = Book.Binding.PAPERBACK
    category = factory.SubFactory(CategoryFactory)
    description = factory.Faker("paragraph", ext_word_list=FILLER_WORDS)


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing
        skip_postgeneration_save = True

    book = factory.SubFactory(BookFactory)
    seller = factory.LazyAttribute(lambda o: ShopFactory().owner)
    condition = Listing.Condition.VERY_GOOD
    price = Decimal("12.50")
    quantity = 3
    status = Listing.Status.ACTIVE
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def book_stats(obj, create, extracted, **kwargs):
        """The book's figures follow, as every service that saves a listing keeps them (catalog.book_stats)."""
        if create:
            refresh_book_stats([obj.book_id])


# --- Personas ---------------------------------------------------------------


@pytest.fixture
def alice(db):
    user = UserFactory(email="alice@example.com", first_name="Alice", last_name="Seller")
    ShopFactory(owner=user, name="Alice's Attic", slug="alices-attic")
    return user


@pytest.fixture
def bob(db):
    user = UserFactory(email="bob@example.com", first_name="Bob", last_name="Seller")
    ShopFactory(owner=user, name="Bob's Books", slug="bobs-books", country="US", city="Austin", region="TX")
    return user


@pytest.fixture
def charlie(db):
    return UserFactory(email="charlie@example.com", first_name="Charlie", last_name="Buyer")


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def alice_listing(alice):
    return ListingFactory(seller=alice, book__title="The Name of the Rose", book__authors="Umberto Eco")


@pytest.fixture
def bob_listing(bob):
    return ListingFactory(seller=bob, book__title="Dune", book__authors="Frank Herbert", price=Decimal("9.99"))


@pytest.fixture
def client_for(client):
    """Log a persona in: client_for(alice) returns the test client signed in as alice."""

    def login(user):
        client.force_login(user)
        return client

    return login
