"""Numbers as people and URLs type them."""


def is_ascii_number(value: str, max_digits: int | None = None) -> bool:
    """Whether ``value`` is one or more ASCII digits (at most ``max_digits``), as int() and the database take them.

    str.isdigit() alone also accepts "²" or "٣": int() refuses the first and the second is no digit a form or URL
    of ours means.
    """
    return value.isascii() and value.isdigit() and (max_digits is None or len(value) <= max_digits)


# The largest primary key the database can hold (a signed 64-bit integer): a bigger id asks for no row.
MAX_ID = 2**63 - 1
