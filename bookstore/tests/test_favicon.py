"""The site's icon: linked from every page, and /favicon.ico (which browsers ask for anyway) never 404s."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.ico")
    assert finders.find("favicon.ico") and finders.find("favicon.svg")


def test_favicon_refuses_writes(client):
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    html = client.get("/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.ico")}"' in html
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in html
