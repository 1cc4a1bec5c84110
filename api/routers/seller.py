"""The seller's inventory and sales."""

from ninja import Router

router = Router(tags=["sell"])
