"""Read/write split: catalog reads on the replica, writes and a writer's next reads on the primary.

The replica is configured as Django's test mirror of the default database: the same data through a second
connection, so CaptureQueriesContext on each connection shows which alias ran each query. Transactional
tests, because a mirror cannot see rows inside the default connection's test transaction.
"""

import copy
import time

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookstore.db_router import PIN_COOKIE, REPLICA, PrimaryReplicaRouter, ReadPolicy, _policy
from catalog.models import Listing, Report
from conftest import PASSWORD, ListingFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica(django_db_setup, django_db_blocker):
    """A "replica" alias mirroring the test database, as settings.py makes it when REPLICA_DATABASE_URL is set.

    Module-scoped so it exists before each test's database set-up (which checks the aliases a test uses)
    and only while this module runs: other tests never meet a replica.
    """
    primary = connections["default"].settings_dict
    mirror = copy.deepcopy(primary)
    mirror["TEST"] = {**primary.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = mirror  # the same dict as settings.DATABASES
    try:
        yield connections[REPLICA]
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def no_replica():
    mirror = connections.settings.pop(REPLICA)
    yield
    connections.settings[REPLICA] = mirror


class Queries:
    """SQL run on the primary and on the replica while the block runs."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", REPLICA)}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def on(self, alias: str, table: str = "catalog_") -> list[str]:
        return [query["sql"] for query in self.contexts[alias].captured_queries if table in query["sql"]]


@pytest.fixture
def listing(alice):
    return ListingFactory(seller=alice, book__title="Middlemarch")


def test_catalog_pages_read_from_the_replica(replica, listing, client):
    for url in (reverse("catalog:browse"), reverse("catalog:listing", args=[listing.pk])):
        with Queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert "Middlemarch" in response.text
        assert queries.on(REPLICA), f"{url} read nothing from the replica"
        assert queries.on("default") == [], f"{url} read the catalog from the primary"
    assert PIN_COOKIE not in response.cookies


def test_without_a_replica_everything_uses_the_primary(no_replica, listing, client):
    with CaptureQueriesContext(connections["default"]) as queries:
        response = client.get(reverse("catalog:browse"))
    assert response.status_code == 200
    # The books view reads the books' figures (catalog_bookstats), the copies view the listings: both are the catalog.
    assert any("catalog_" in query["sql"] for query in queries.captured_queries)
    assert REPLICA not in connections.settings
    assert PIN_COOKIE not in response.cookies


def test_a_write_pins_the_writer_to_the_primary_for_a_while(replica, listing, charlie, client, settings):
    with Queries() as queries:
        response = client.post(reverse("account_login"), {"login": charlie.email, "password": PASSWORD})
    assert response.status_code == 302
    assert queries.on(REPLICA, "") == []
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.REPLICA_PIN_SECONDS
    assert int(pin.value) > time.time()

    # Right after the write the same browser reads the catalog from the primary...
    with Queries() as queries:
        assert client.get(reverse("catalog:browse")).status_code == 200
    assert queries.on("default") and queries.on(REPLICA) == []

    # ...and once the pin has run out, from the replica again.
    client.cookies[PIN_COOKIE] = str(int(time.time()) - 1)
    with Queries() as queries:
        assert client.get(reverse("catalog:browse")).status_code == 200
    assert queries.on(REPLICA) and queries.on("default") == []


def test_a_write_reads_its_own_rows_from_the_primary(replica, listing, charlie, client):
    client.force_login(charlie)
    with Queries() as queries:
        response = client.post(reverse("catalog:report", args=[listing.pk]), {"reason": "spam", "text": "?"})
    assert response.status_code == 302
    assert Report.objects.filter(listing=listing, reporter=charlie).exists()
    assert queries.on(REPLICA, "") == []
    assert PIN_COOKIE in response.cookies


@pytest.mark.parametrize("path", ["sell:inventory", "orders:cart", "orders:checkout"])
def test_pages_of_ones_own_data_read_the_primary(replica, listing, alice, client, path):
    client.force_login(alice)
    with Queries() as queries:
        response = client.get(reverse(path))
    assert response.status_code in (200, 302)
    assert queries.on(REPLICA, "") == []


def test_reads_inside_a_transaction_use_the_primary(replica, listing):
    """Services lock and check stock inside atomic(): never against a copy that may lag."""
    token = _policy.set(ReadPolicy(use_replica=True))
    try:
        router = PrimaryReplicaRouter()
        assert router.db_for_read(Listing) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Listing) == "default"
            with Queries() as queries:
                locked = Listing.objects.select_for_update().get(pk=listing.pk)
            assert locked.pk == listing.pk
            assert queries.on("default") and queries.on(REPLICA) == []
        # Writing in a request turns its later reads to the primary.
        assert router.db_for_write(Listing) == "default"
        assert router.db_for_read(Listing) == "default"
    finally:
        _policy.reset(token)


def test_outside_a_request_the_replica_is_never_used(replica, listing):
    """Management commands (expiry, the carrier simulator) write: they read the primary."""
    with Queries() as queries:
        assert Listing.objects.get(pk=listing.pk).book.title == "Middlemarch"
    assert queries.on("default") and queries.on(REPLICA) == []


def test_the_replica_is_never_migrated(replica):
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_migrate("default", "catalog") is None
