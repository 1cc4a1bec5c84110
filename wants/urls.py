"""Want lists: /wants/ and its forms, saved searches, and the digest's unsubscribe links."""

from django.urls import path

from wants import views

app_name = "wants"
urlpatterns = [
    path("", views.want_list, name="list"),
    path("new/", views.want_new, name="new"),
    path("<int:pk>/edit/", views.want_edit, name="edit"),
    path("<int:pk>/pause/", views.want_pause, name="pause"),
    path("<int:pk>/delete/", views.want_delete, name="delete"),
    path("searches/new/", views.search_save, name="search_save"),
    path("searches/<int:pk>/pause/", views.search_pause, name="search_pause"),
    path("searches/<int:pk>/delete/", views.search_delete, name="search_delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
