"""Test doubles of the external payment provider (never of our own database)."""

import threading
import time

from orders.gateway import SimulatedGateway


class CountingGateway(SimulatedGateway):
    """The simulated provider, counting the charges it is asked for and taking a little while to answer."""

    lock = threading.Lock()
    charge_calls = 0
    refund_calls = 0
    delay = 0.0

    @classmethod
    def reset(cls, delay: float = 0.0) -> None:
        with cls.lock:
            cls.charge_calls = 0
            cls.refund_calls = 0
            cls.delay = delay

    def charge(self, *args, **kwargs):
        with self.lock:
            type(self).charge_calls += 1
        time.sleep(self.delay)
        return super().charge(*args, **kwargs)

    def refund(self, *args, **kwargs):
        with self.lock:
            type(self).refund_calls += 1
        return super().refund(*args, **kwargs)


class UnreachableGateway(SimulatedGateway):
    """A provider that cannot be reached (network down)."""

    def charge(self, *args, **kwargs):
        raise ConnectionError("provider unreachable")

    def refund(self, *args, **kwargs):
        raise ConnectionError("provider unreachable")
