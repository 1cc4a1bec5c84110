"""Public, read-only endpoints: the catalog, books, listings, shops, carriers and shipping quotes."""

from ninja import Router

catalog_router = Router(tags=["catalog"])
books_router = Router(tags=["books"])
listings_router = Router(tags=["listings"])
shops_router = Router(tags=["shops"])
carriers_router = Router(tags=["carriers"])
