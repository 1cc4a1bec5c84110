"""Messages between buyers and sellers."""

from ninja import Router

router = Router(tags=["messages"])
