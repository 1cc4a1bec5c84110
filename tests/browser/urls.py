"""The site's URLs plus uploaded media, for the live server the browser tests drive.

Production serves /media/ from NGINX (or S3); the development server only while DEBUG is on, which the test
run turns off. The media root is read per request: each test has its own.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from bookstore.urls import urlpatterns as site_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urlpatterns]
