"""The JSON API, version 1: ``/api/v1/``, its OpenAPI at ``/api/v1/openapi.json``, its docs at ``/api/v1/docs/``."""

from ninja import NinjaAPI

from api.errors import PROBLEM_JSON, install_handlers
from api.ratelimit import ApiThrottle
from api.routers import buyer, messages, public, seller
from api.schemas import ProblemOut

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}


class BookStoreApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return super().get_openapi_operation_id(operation).removeprefix("api_routers_")

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's description, plus what it cannot say: errors are ``application/problem+json``, and any call may
        answer a problem (bad input, a missing token, too many requests)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {}).setdefault(
            "ProblemOut", ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    if str(status)[0] in "45" and "content" in response:
                        content = response["content"]
                        content[PROBLEM_JSON] = content.pop("application/json", {"schema": PROBLEM_REF})
                responses.setdefault(
                    "4XX", {"description": "A problem", "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
                )
        return schema


api = BookStoreApi(
    title="BookStore API",
    version="1",
    description=(
        "The marketplace's catalog, carts, orders and inventory. Reading the catalog needs no token; the rest "
        "needs a personal access token (`Authorization: Bearer bks_...`, made on the profile page) with the "
        "scope it names: read, buy or sell. Errors are RFC 9457 problem details. Lists are paged with a cursor: "
        "pass the `next` of a page as `cursor` to get the following one."
    ),
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
