"""The long-tail phase: every request a URL nobody asked before, drawn from the bench catalog itself.

Used inside Django (bench/run.py after django.setup()). ``paths`` makes, per scenario, one list of URLs for the
probe and one list per round, all distinct across the whole run: searches from the catalog's own title words,
authors, ISBNs, typos and two-word queries; random valid filter combinations with pages 1-50 in both views; listing
pages of random visible listings; one URL in ten with parameters the catalog does not read (utm_source=N and the
like). ``worst_filter_plans`` finds the slowest filter combinations by running their pages in process with the page
cache off, and reports the EXPLAIN of each one's slowest query with the index entries it read.
"""

from __future__ import annotations

import random
import re
import time
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from catalog.isbn import format_isbn
from catalog.models import Book, Category, Listing
from catalog.search.shelves import Shelf, forget_sizes, shelf_size

PROBE_PATHS = 25
# URLs per second of a round to prepare: more than the fastest of these pages answers on this kind of machine, so
# that no URL of a round is asked twice (the report says when a round ran out of URLs and started over).
URLS_PER_SECOND = {
    "longtail_search": 350,
    "longtail_filters": 300,
    "longtail_catalog": 300,
    "longtail_detail": 500,
    "longtail_api": 300,
}
EXPLAIN_SAMPLE = 60
JUNK_SHARE = 0.1
JUNK = ["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "ref", "sessionid_x"]
PRICE_RANGES = [(None, 5), (None, 10), (5, 15), (10, 20), (15, 30), (20, None), (30, None), (8, 12)]
SORTS = ["", "", "newest", "price_asc", "price_desc"]
STOP_WORDS = {"the", "a", "an", "of", "for", "and", "in", "on", "to", "de", "la", "el", "los", "las", "le", "les"}


class _Vocabulary:
    """Words, authors, ISBNs and category slugs sampled from the bench database."""

    def __init__(self, rng: random.Random):
        top = Book.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        sample = rng.sample(range(1, top + 1), min(top, 4000))
        books = list(Book.objects.filter(pk__in=sample).values_list("title", "authors", "isbn13"))
        words = {
            word.lower()
            for title, _authors, _isbn in books
            for word in re.findall(r"[^\W\d_]{3,}", title)
            if word.lower() not in STOP_WORDS
        }
        self.words = sorted(words)
        self.authors = sorted({author.strip() for _t, authors, _i in books for author in authors.split(",")})
        self.isbns = [isbn for _t, _a, isbn in books if isbn]
        self.categories = list(Category.objects.values_list("slug", flat=True))
        self.languages = [value for value, _label in Book.Language.choices]
        self.bindings = [value for value, _label in Book.Binding.choices]
        self.conditions = [value for value, _label in Listing.Condition.choices]
        self.rng = rng

    def search(self) -> dict:
        rng = self.rng
        kind = rng.choices(["word", "author", "isbn", "typo", "words"], weights=[35, 20, 10, 15, 20])[0]
        if kind == "word":
            q = rng.choice(self.words)
        elif kind == "author":
            author = rng.choice(self.authors)
            q = author if rng.random() < 0.6 else author.split()[-1]
        elif kind == "isbn":
            isbn = rng.choice(self.isbns)
            q = format_isbn(isbn) if rng.random() < 0.5 else isbn
        elif kind == "typo":
            q = _typo(rng, rng.choice([word for word in self.words if len(word) > 4] or self.words))
        else:
            q = " ".join(rng.sample(self.words, rng.choice([2, 2, 3])))
        params = {"q": q}
        if rng.random() < 0.25:
            params["page"] = rng.randint(2, 5)
        if rng.random() < 0.3:
            params["view"] = "copies"
        if rng.random() < 0.2:
            params["sort"] = rng.choice(["price_asc", "price_desc", "newest"])
        return params

    def filters(self) -> dict:
        rng = self.rng
        params: dict = {}
        chosen = rng.sample(["category", "condition", "language", "binding", "price"], rng.randint(1, 3))
        if "category" in chosen:
            params["category"] = rng.choice(self.categories)
        if "condition" in chosen:
            params["condition"] = rng.sample(self.conditions, rng.choice([1, 1, 2]))
        if "language" in chosen:
            params["language"] = rng.choice(self.languages)
        if "binding" in chosen:
            params["binding"] = rng.choice(self.bindings)
        if "price" in chosen:
            low, high = rng.choice(PRICE_RANGES)
            if low is not None:
                params["price_min"] = low
            if high is not None:
                params["price_max"] = high
        if sort := rng.choice(SORTS):
            params["sort"] = sort
        # Mostly the first pages, a tail out to page 50 (some past the end of a narrow filter).
        page = min(50, int(rng.paretovariate(1.2)))
        if page > 1:
            params["page"] = page
        if rng.random() < 0.5:
            params["view"] = "copies"
        return params


def _typo(rng: random.Random, word: str) -> str:
    position = rng.randrange(1, len(word))
    letters = list(word)
    match rng.choice(["swap", "drop", "double"]):
        case "swap" if position < len(word) - 1:
            letters[position], letters[position + 1] = letters[position + 1], letters[position]
        case "drop":
            del letters[position]
        case _:
            letters.insert(position, letters[position])
    return "".join(letters)


def _url(path: str, params: dict, rng: random.Random) -> str:
    items = [
        (name, value)
        for name, values in params.items()
        for value in (values if isinstance(values, list) else [values])
    ]
    rng.shuffle(items)  # parameter order varies as it does in links, forms and crawlers
    if rng.random() < JUNK_SHARE:
        items.append((rng.choice(JUNK), rng.randint(1, 10**9)))
    query = urlencode(items)
    return f"{path}?{query}" if query else path


def _api_params(vocabulary: _Vocabulary, rng: random.Random) -> dict:
    """A search or a filter combination as the API asks it: a cursor instead of pages, books only."""
    params = vocabulary.search() if rng.random() < 0.5 else vocabulary.filters()
    return {name: value for name, value in params.items() if name not in ("page", "view")}


def paths(rng: random.Random, rounds: int, seconds: int) -> dict[str, list[str]]:
    """Per scenario key: ``key`` (the probe's URLs) and ``key#N`` for round N, every URL distinct."""
    vocabulary = _Vocabulary(rng)
    seen: set[str] = set()
    visible = list(Listing.objects.filter(status=Listing.Status.ACTIVE).values_list("pk", flat=True))
    rng.shuffle(visible)
    detail_ids = iter(visible)

    def fresh(make) -> str:
        for _attempt in range(50):
            url = make()
            if url not in seen:
                seen.add(url)
                return url
        raise RuntimeError("The bench catalog is too small for distinct long-tail URLs.")

    makers = {
        "longtail_search": lambda: _url("/books/", vocabulary.search(), rng),
        "longtail_filters": lambda: _url("/books/", vocabulary.filters(), rng),
        "longtail_catalog": lambda: _url(
            "/books/", vocabulary.search() if rng.random() < 0.5 else vocabulary.filters(), rng
        ),
        "longtail_detail": lambda: _url(f"/books/{next(detail_ids)}/", {}, rng),
        # The JSON API's books search on the same kinds of searches and filters, each asked once.
        "longtail_api": lambda: _url("/api/v1/catalog/books", _api_params(vocabulary, rng), rng),
    }
    result: dict[str, list[str]] = {}
    for key, make in makers.items():
        result[key] = [fresh(make) for _ in range(PROBE_PATHS)]
        per_round = URLS_PER_SECOND[key] * seconds
        if key == "longtail_detail":
            per_round = min(per_round, (len(visible) - PROBE_PATHS * 2) // max(rounds, 1))
        for round_number in range(rounds):
            result[f"{key}#{round_number}"] = [fresh(make) for _ in range(per_round)]
    # Filter URLs of their own for worst_filter_plans, asked by nobody else.
    result["longtail_explain"] = [fresh(makers["longtail_filters"]) for _ in range(EXPLAIN_SAMPLE)]
    return result


# --- The slowest filter combinations, explained ---------------------------------------------------------------


def _handler_reads(cursor) -> int:
    cursor.execute("SHOW SESSION STATUS LIKE %s", ["Handler_read%"])
    return sum(int(value) for _name, value in cursor.fetchall())


def _explain(sql: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _rows_read(sql: str) -> tuple[int, float]:
    """Index and table entries the query reads (the session's Handler_read_* counters), and its time in ms."""
    with connection.cursor() as cursor:
        before = _handler_reads(cursor)
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        elapsed = (time.perf_counter() - started) * 1000
        return _handler_reads(cursor) - before, round(elapsed, 1)


def worst_filter_plans(urls: list[str], sample: int = EXPLAIN_SAMPLE, worst: int = 5) -> list[dict]:
    """The ``worst`` slowest of ``sample`` filter URLs, rendered in process with the page cache off: for each, its
    slowest SQL query, the rows that query read, and its EXPLAIN."""
    client = Client()
    measured = []
    with override_settings(CATALOG_CACHE_SECONDS=0):
        # One unmeasured page first: the process's first render loads and compiles the templates (over a second),
        # which would otherwise be charged to whichever filter URL came first.
        client.get("/books/?view=copies", HTTP_HOST="127.0.0.1")
        client.get("/books/", HTTP_HOST="127.0.0.1")
        # And the process's numbers of the catalog's shelves, read at once here (a server reads them in the
        # background, its first pages planned without them).
        forget_sizes()
        shelf_size(Shelf())
        for url in urls[:sample]:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1")
                elapsed = (time.perf_counter() - started) * 1000
            selects = [
                query for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")
            ]
            if not selects:
                continue
            slowest = max(selects, key=lambda query: float(query["time"]))
            measured.append(
                {
                    "url": url,
                    "status": response.status_code,
                    "ms": round(elapsed, 1),
                    "queries": len(queries.captured_queries),
                    "sql": slowest["sql"],
                    "sql_ms": round(float(slowest["time"]) * 1000, 1),
                }
            )
    measured.sort(key=lambda entry: entry["ms"], reverse=True)
    plans = []
    for entry in measured[:worst]:
        rows_read, sql_ms = _rows_read(entry["sql"])
        plans.append({**entry, "rows_read": rows_read, "sql_ms_again": sql_ms, "explain": _explain(entry["sql"])})
    return plans
