"""Buying pages. Mounted at the site root: /cart/, /checkout/, /orders/ (see the README's URL map)."""

from django.urls import path

from orders.views import cart, checkout, orders, payment

app_name = "orders"
urlpatterns = [
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/add/<int:listing_id>/", cart.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", cart.cart_line, name="cart_line"),
    path("cart/accept-prices/", cart.cart_accept_prices, name="cart_accept_prices"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/summary/", checkout.checkout_summary, name="checkout_summary"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<str:number>/", orders.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", payment.pay, name="pay"),
    path("orders/<str:number>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<str:number>/parts/<int:shipment_id>/cancel/", orders.order_cancel_part, name="order_cancel_part"),
]
