"""Reading a seller's listings file: CSV (UTF-8 or Latin-1, comma or semicolon), TSV or XLSX.

CSV and TSV are read with the csv module so that every row keeps the line it starts on, even when a quoted
cell spans lines; XLSX is read through django-import-export's format (openpyxl), where the line is the
spreadsheet's row number. Both give the same thing: the headings and (line, cells) pairs.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX

FORMATS = {"csv": "csv", "txt": "csv", "tsv": "tsv", "tab": "tsv", "xlsx": "xlsx"}
ACCEPT = ".csv,.tsv,.txt,.xlsx"
CSV_DELIMITERS = ",;\t"


@dataclass
class Table:
    headers: list[Any]
    rows: list[tuple[int, list[Any]]]


def file_format(name: str) -> str:
    """The format a file name announces; raises ValidationError for any other kind of file."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise ValidationError(
            _("Upload a CSV, TSV or Excel (.xlsx) file; “%(name)s” is none of these.") % {"name": name},
            code="file_type",
        )
    return FORMATS[extension]


def check_size(size: int) -> None:
    limit = settings.SELLER_IMPORT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s. Split it into several files.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_size",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")


def decode(data: bytes) -> str:
    """UTF-8 (with or without its byte-order mark) when the bytes are UTF-8, else Latin-1 (which reads anything)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_table(data: bytes, fmt: str) -> Table:
    """The headings and rows of a file; raises ValidationError when it cannot be read as ``fmt``."""
    table = _read_xlsx(data) if fmt == "xlsx" else _read_text(data, fmt)
    if not any(str(heading or "").strip() for heading in table.headers):
        raise ValidationError(_("The file has no heading row: the first line must name the columns."), code="empty")
    if len(table.rows) > settings.SELLER_IMPORT_MAX_ROWS:
        raise ValidationError(
            _("The file has %(rows)d rows; the limit is %(limit)d. Split it into several files.")
            % {"rows": len(table.rows), "limit": settings.SELLER_IMPORT_MAX_ROWS},
            code="too_many_rows",
        )
    return table


def _read_text(data: bytes, fmt: str) -> Table:
    if b"\x00" in data[:4096]:
        raise ValidationError(_("This is not a text (CSV or TSV) file."), code="file_type")
    text = decode(data)
    if fmt == "tsv":
        delimiter = "\t"
    else:
        first_line = text.split("\n", 1)[0]
        # A spreadsheet set to Spanish writes "sku;isbn;..." (the comma is its decimal mark).
        delimiter = max(CSV_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, [])
        rows: list[tuple[int, list[Any]]] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(
            _("The file could not be read as %(format)s near line %(line)d: %(error)s")
            % {"format": fmt.upper(), "line": reader.line_num, "error": exc},
            code="unreadable",
        ) from exc
    return Table(headers, rows)


def _read_xlsx(data: bytes) -> Table:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(_("This is not an Excel (.xlsx) file."), code="file_type")
    try:
        dataset = XLSX().create_dataset(data)
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged file
        raise ValidationError(
            _("This Excel file could not be read; save it again as .xlsx or CSV."), code="unreadable"
        ) from exc
    rows = [
        (number, list(row))
        for number, row in enumerate(dataset, start=2)
        if any(cell not in (None, "") for cell in row)
    ]
    return Table(list(dataset.headers or []), rows)


def iter_cells(table: Table, columns: dict[int, str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each row as {column name: raw cell}, with its line."""
    for line, cells in table.rows:
        yield line, {name: cells[index] if index < len(cells) else None for index, name in columns.items()}
