"""The two baselines every scenario is compared with; mounted only by bench.urls, never by the site.

- bare: the cheapest Django response, through the whole middleware stack.
- raw_page: 24 visible listings from one raw SQL keyset query, rendered by a tiny template; roughly the least
  work any real catalog page can do. The join order is fixed (listings first, along the newest index): the
  baseline must not move when an index added for another page tempts the optimizer into starting from the
  books (the books view's grouping index did: 1.4 s a page instead of milliseconds).
"""

from datetime import datetime

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.views.decorators.http import require_safe

PAGE_SIZE = 24

RAW_PAGE_SQL = """
SELECT STRAIGHT_JOIN l.id, l.published_at, l.price, b.title, b.authors
FROM catalog_listing l
JOIN catalog_book b ON b.id = l.book_id
JOIN accounts_user u ON u.id = l.seller_id
WHERE l.status = 'active' AND u.is_active AND (l.published_at < %s OR (l.published_at = %s AND l.id < %s))
ORDER BY l.published_at DESC, l.id DESC
LIMIT %s
"""

RAW_PAGE_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Books</title></head><body><ul>
{% for id, published_at, price, title, authors in rows %}
<li><a href="/books/{{ id }}/">{{ title }}</a> {{ authors }} {{ price }}</li>{% endfor %}
</ul>{% if next %}<a href="?after={{ next }}">Next</a>{% endif %}</body></html>"""
)

# Later than any publication date: the first page.
FAR_FUTURE = datetime(9999, 1, 1)


@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    """A few bytes; `?size=N` (up to 1 MB) answers N bytes instead, to tell response size from work."""
    try:
        size = min(max(int(request.GET.get("size", "")), 0), 1 << 20)
    except ValueError:
        return HttpResponse(b"ok\n", content_type="text/plain")
    return HttpResponse(b"x" * size, content_type="text/plain")


def _cursor(value: str) -> tuple[datetime, int]:
    """`after=<published_at ISO>_<id>`: the key of the last row of the previous page; the first page without it."""
    try:
        stamp, pk = value.rsplit("_", 1)
        return datetime.fromisoformat(stamp), int(pk)
    except ValueError:
        return FAR_FUTURE, 0


@require_safe
def raw_page(request: HttpRequest) -> HttpResponse:
    published_at, pk = _cursor(request.GET.get("after", ""))
    if published_at is FAR_FUTURE:
        pk = 2**62
    with connection.cursor() as cursor:
        cursor.execute(RAW_PAGE_SQL, [published_at, published_at, pk, PAGE_SIZE])
        rows = cursor.fetchall()
    last = rows[-1] if len(rows) == PAGE_SIZE else None
    next_cursor = f"{last[1].isoformat()}_{last[0]}" if last else ""
    return HttpResponse(RAW_PAGE_TEMPLATE.render({"rows": rows, "next": next_cursor}, request))
