"""Listings files for the import tests: good rows in bulk and one bad row of every kind."""

import csv
import io

from stdnum import ean

from catalog.imports.columns import COLUMNS


def isbn13(n: int) -> str:
    """A valid ISBN-13 (978 prefix) numbered ``n``."""
    body = f"978{n:09d}"
    return body + ean.calc_check_digit(body)


def good_rows(count: int, *, start: int = 0, price: str = "12.50") -> list[dict[str, str]]:
    rows = []
    for n in range(start, start + count):
        with_isbn = n % 4 != 3
        rows.append(
            {
                "sku": f"SKU-{n:05d}",
                "isbn": isbn13(n) if with_isbn else "",
                "title": f"Book number {n}",
                "author": f"Author {n % 50}",
                "condition": ["Very Good", "muy bueno", "good", "As New"][n % 4],
                "price": price if n % 2 else price.replace(".", ","),
                "quantity": str(1 + n % 3),
                "notes": "Clean copy." if n % 5 == 0 else "",
                "language": ["en", "Spanish", "español", ""][n % 4],
                "binding": ["paperback", "Hardcover", "tapa dura", ""][n % 4],
                "category": ["Fiction", "Historia", "history", "fiction"][n % 4],
                "status": ["active", "", "draft", "Activo"][n % 4],
            }
        )
    return rows


def bad_rows() -> list[tuple[dict[str, str], str]]:
    """Twenty rows, each refused for its own reason, with the column the report must name."""
    base = {
        "isbn": "",
        "title": "A bad row",
        "author": "Someone",
        "condition": "good",
        "price": "10.00",
        "quantity": "1",
        "notes": "",
        "language": "en",
        "binding": "paperback",
        "category": "Fiction",
        "status": "",
    }
    cases = [
        ({"condition": "Like new-ish"}, "condition"),
        ({"price": "12,5O"}, "price"),
        ({"isbn": "9780141439540"}, "isbn"),  # Middlemarch's ISBN with a wrong check digit
        ({"isbn": isbn13(900_001), "title": ""}, "title"),  # an ISBN the catalog does not know, no title
        ({"quantity": "-2"}, "quantity"),
        ({"category": "Cookbooks of Mars"}, "category"),
        ({"sku": ""}, "sku"),
        ({"sku": "SKU-00001"}, "sku"),  # the same SKU as a good row above it
        ({"price": "12.505"}, "price"),
        ({"price": "0"}, "price"),
        ({"quantity": "two"}, "quantity"),
        ({"quantity": "5000"}, "quantity"),
        ({"language": "Klingon"}, "language"),
        ({"binding": "scroll"}, "binding"),
        ({"status": "sold"}, "status"),
        ({"status": "paused"}, "status"),  # a new listing starts as draft or active
        ({"quantity": "0", "status": "active"}, "quantity"),
        ({"price": ""}, "price"),
        ({"author": ""}, "author"),  # a book without ISBN needs its author
        ({"sku": "has spaces!"}, "sku"),
    ]
    rows = []
    for number, (change, column) in enumerate(cases):
        row = {**base, "sku": f"BAD-{number:02d}", **change}
        rows.append((row, column))
    return rows


def csv_bytes(rows: list[dict[str, str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[name] for name in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
