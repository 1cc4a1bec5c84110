"""What the catalog's tests look for in the SQL a page runs."""


def is_count(sql: str) -> bool:
    """Whether ``sql`` counts results: a COUNT, or on MariaDB the one-column query read up to COUNT_ROWS rows
    (catalog.search.counts.examined_rows)."""
    statement = sql.lstrip().upper()
    return statement.startswith("SELECT COUNT(") or " ROWS EXAMINED " in statement
