"""A test double of the external payment provider (never of our own database)."""

from orders.gateway import SimulatedGateway


class FlakyRefundGateway(SimulatedGateway):
    """The simulated provider, unreachable for the next ``failures_left`` refunds."""

    failures_left = 0

    def refund(self, *args, **kwargs):
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise ConnectionError("provider unreachable")
        return super().refund(*args, **kwargs)
