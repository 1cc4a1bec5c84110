from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("<int:pk>/block/", views.block, name="block"),
    path("<int:pk>/unblock/", views.unblock, name="unblock"),
    path("new/listing/<int:pk>/", views.ask_seller, name="ask"),
    path("new/shipment/<int:pk>/", views.write_about_shipment, name="shipment"),
]
