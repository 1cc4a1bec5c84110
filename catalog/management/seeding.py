"""Helpers shared by the seed_demo and seed_bulk commands (and the bench): ISBNs, drawn covers, the demo password,
the optimizer's statistics after a bulk load."""

import hashlib
import io
import textwrap
from functools import cache
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image, ImageDraw, ImageFont

from accounts.models import Shop, User
from catalog.images import ProcessedPhoto, process_photo
from catalog.models import Book, BookStats, Category, Listing

# One known password for every seeded account, printed by the commands; never used outside demo data.
DEMO_PASSWORD = "bookstore-demo"  # noqa: S105 - demo data only  # nosec B105

# Same 3:4 shape as the thumbnail, so cropping it cuts nothing off.
COVER_SIZE = (480, 640)

# Muted cloth-binding colours; light text reads on all of them.
PALETTE = [
    (122, 31, 43),
    (31, 58, 95),
    (40, 86, 62),
    (94, 60, 108),
    (150, 84, 30),
    (33, 88, 104),
    (96, 96, 40),
    (70, 70, 78),
    (140, 48, 74),
    (46, 64, 132),
]

_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
]


def isbn13_check_digit(first12: str) -> str:
    """The check digit that completes a 12-digit ISBN-13 prefix (weights 1 and 3, modulo 10)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"an ISBN-13 prefix has 12 digits, got {first12!r}")
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn13(first12: str) -> str:
    """A complete, valid ISBN-13 from its first 12 digits."""
    return first12 + isbn13_check_digit(first12)


def stable_index(text: str, modulo: int) -> int:
    """A number in range(modulo) that depends only on text, so reruns pick the same value."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % modulo


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def _wrap_to_width(draw: ImageDraw.ImageDraw, text: str, font, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def draw_cover(title: str, authors: str, colour: tuple[int, int, int], size: tuple[int, int] = COVER_SIZE) -> bytes:
    """A plain cloth-style book cover with the title and author, as PNG bytes."""
    width, height = size
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    ink = (245, 238, 220)
    margin = width // 12
    draw.rectangle([margin // 2, margin // 2, width - margin // 2, height - margin // 2], outline=ink, width=3)

    # Long titles get a smaller type size until they fit in five lines inside the frame.
    text_width = width - 2 * margin
    for font_size in (width // 10, width // 12, width // 15, width // 19):
        title_font = _font(max(12, font_size))
        lines = _wrap_to_width(draw, title, title_font, text_width)
        if len(lines) <= 5 and all(draw.textlength(line, font=title_font) <= text_width for line in lines):
            break
    y = height // 6
    for line in lines[:5]:
        draw.text(((width - draw.textlength(line, font=title_font)) / 2, y), line, font=title_font, fill=ink)
        y += int(max(12, font_size) * 1.25)

    author_font = _font(max(10, width // 20))
    author = authors
    if draw.textlength(author, font=author_font) > text_width:
        author = textwrap.shorten(f"{authors.split(',')[0]} et al.", width=30, placeholder="…")
    author_width = draw.textlength(author, font=author_font)
    draw.text(((width - author_width) / 2, height - height // 5), author, font=author_font, fill=ink)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def cover_upload(title: str, authors: str, size: tuple[int, int] = COVER_SIZE) -> SimpleUploadedFile:
    """A drawn cover as the browser would send it, for the same intake as a seller's upload."""
    colour = PALETTE[stable_index(title, len(PALETTE))]
    return SimpleUploadedFile("cover.png", draw_cover(title, authors, colour, size), content_type="image/png")


def cover_photo(title: str, authors: str, size: tuple[int, int] = COVER_SIZE) -> ProcessedPhoto:
    """A drawn cover, validated and re-encoded with its thumbnail, not yet stored."""
    return process_photo(cover_upload(title, authors, size))


def analyze_catalog_tables() -> None:
    """Refresh MariaDB/MySQL's statistics of the tables a bulk load fills. Left stale, they made the optimizer read
    a page's 25 listing cards starting from the categories, through every book and listing (150 ms instead of 1 ms
    at 100,000 listings, measured). ANALYZE TABLE commits the open transaction, so nothing is done inside one (a
    caller's atomic block, a test's), nor on other databases."""
    if connection.vendor != "mysql" or connection.in_atomic_block:
        return
    tables = [model._meta.db_table for model in (User, Shop, Book, BookStats, Category, Listing)]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE TABLE {', '.join(tables)}")  # nosec B608 - our own table names
        cursor.fetchall()
