"""The JSON API, version 1: ``/api/v1/``, its OpenAPI at ``/api/v1/openapi.json``."""

from ninja import NinjaAPI

from api.errors import install_handlers
from api.ratelimit import ApiThrottle
from api.routers import buyer, messages, public, seller

api = NinjaAPI(
    title="BookStore API",
    version="1",
    description="The marketplace's catalog, carts, orders and inventory. Errors are RFC 9457 problem details.",
    urls_namespace="api-v1",
    docs_url=None,
    throttle=[ApiThrottle()],
)
install_handlers(api)

api.add_router("/catalog", public.catalog_router)
api.add_router("/books", public.books_router)
api.add_router("/listings", public.listings_router)
api.add_router("/shops", public.shops_router)
api.add_router("/carriers", public.carriers_router)
api.add_router("/cart", buyer.cart_router)
api.add_router("/orders", buyer.orders_router)
api.add_router("/sell", seller.router)
api.add_router("/messages", messages.router)
