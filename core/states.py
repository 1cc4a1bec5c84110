"""What every state machine of the project shares: one exception for an illegal move, one check against a table.

Each machine lists its allowed transitions once, in its own app (``orders.states``, ``catalog.states``), and
calls :func:`check_transition` from the one method that changes a status.
"""


class IllegalTransition(Exception):
    """A status change that the machine's table does not allow."""

    def __init__(self, machine: str, current: str, new: str):
        self.machine = machine
        self.current = current
        self.new = new
        super().__init__(f"{machine}: {current!r} cannot move to {new!r}")


def check_transition(machine: str, table: dict[str, frozenset[str]], current: str, new: str) -> None:
    """Raise IllegalTransition unless ``table`` allows ``current`` -> ``new``."""
    if new not in table.get(current, frozenset()):
        raise IllegalTransition(machine, current, new)
