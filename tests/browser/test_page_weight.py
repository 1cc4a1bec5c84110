"""Page weight of home, catalog and a listing: bytes and requests of the first load, recorded at a phone's and a
desktop's size in test-output/page-weight.json (and printed), with budgets that keep the pages light.

The live server sends static files uncompressed, so the bytes are an upper bound of what NGINX (gzip) sends.
"""

import json
import re
from decimal import Decimal

import pytest

from catalog.services.photos import add_photos
from conftest import ListingFactory, make_upload
from tests.conftest import OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = OUTPUT / "page-weight.json"
# Budgets of the first load (uncompressed; about 170 kB today, of which 86 kB CSS and 47 kB script).
BUDGET_BYTES = {"home": 300_000, "catalog": 300_000, "listing": 300_000}
BUDGET_REQUESTS = 20
# Scripts of a first load: Bootstrap's three plugins the pages use (script/build-js.mjs) and the site's own two.
BUDGET_SCRIPT_BYTES = 60_000


@pytest.fixture
def shelves(alice):
    listings = [ListingFactory(seller=alice, price=Decimal("10") + n) for n in range(12)]
    for listing in listings:
        add_photos(listing, [make_upload(size=(900, 1200))])
    return listings


def weigh(page, path: str) -> dict:
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    entries = []
    for request in responses:
        sizes = request.sizes()
        entries.append(
            {
                "url": re.sub(r"^https?://[^/]+", "", request.url),
                "type": request.resource_type,
                "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
            }
        )
    by_type: dict[str, int] = {}
    for entry in entries:
        by_type[entry["type"]] = by_type.get(entry["type"], 0) + entry["bytes"]
    return {"requests": len(entries), "bytes": sum(e["bytes"] for e in entries), "by_type": by_type, "files": entries}


def test_page_weight_of_home_catalog_and_listing(new_page, viewport, shelves):
    listing = shelves[0]
    pages = {"home": "/", "catalog": "/books/", "listing": listing.get_absolute_url()}
    # Each page in a fresh context: an empty cache, as a first visit.
    measured = {name: weigh(new_page(viewport), path) for name, path in pages.items()}

    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous[viewport] = {name: {k: v for k, v in m.items() if k != "files"} for name, m in measured.items()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(previous, indent=2, sort_keys=True))
    for name, m in measured.items():
        print(f"page weight [{viewport}] {name}: {m['bytes']:,} bytes in {m['requests']} requests {m['by_type']}")

    for name, m in measured.items():
        assert m["bytes"] < BUDGET_BYTES[name], (name, m["by_type"])
        assert m["requests"] <= BUDGET_REQUESTS, (name, [f["url"] for f in m["files"]])
        images = [f["url"] for f in m["files"] if f["type"] == "image" and "/media/" in f["url"]]
        # Chromium takes the WebP renditions from the <picture>: never the 1200 px original.
        assert images, name
        assert all(re.search(r"_\d+w\.webp$", url) for url in images), (name, images)
        assert not any("bootstrap.min.css" in f["url"] or "bootstrap.bundle" in f["url"] for f in m["files"])
        assert m["by_type"].get("script", 0) < BUDGET_SCRIPT_BYTES, (name, m["by_type"])
