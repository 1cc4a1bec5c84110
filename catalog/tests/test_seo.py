"""Being found and shared: meta descriptions, robots.txt, sitemaps, schema.org JSON-LD and Open Graph tags."""

import html
import json
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from catalog.models import Listing
from catalog.services.photos import add_photos
from conftest import BookFactory, ListingFactory, make_upload

pytestmark = pytest.mark.django_db


def meta(body: str, attr: str, name: str) -> str | None:
    found = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', body)
    return html.unescape(found.group(1)) if found else None


def json_ld(body: str) -> dict:
    [text] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    return json.loads(text)


@pytest.fixture
def listing(alice, settings):
    settings.SITE_URL = "https://books.example.com"
    settings.CURRENCY = "USD"
    book = BookFactory(title="Cien años de soledad", authors="Gabriel García Márquez", isbn13="9780307474728")
    listing = ListingFactory(seller=alice, book=book, condition=Listing.Condition.GOOD, price=Decimal("9.5"))
    add_photos(listing, [make_upload()])
    return listing


@pytest.mark.parametrize(
    ("language", "words"), [("en", ("by Gabriel García Márquez", "Good", "$9.50")), ("es", ("de Gabriel", "Bueno"))]
)
def test_listing_description_names_title_author_condition_price_and_shop(client, listing, language, words):
    body = client.get(listing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    description = meta(body, "name", "description")
    assert description.startswith("Cien años de soledad")
    assert all(word in description for word in words), description
    assert listing.seller.shop.name in description
    assert len(description) <= 160
    assert body.count('<meta name="description"') == 1


def test_listing_page_has_book_and_offer_json_ld(client, listing):
    body = client.get(listing.get_absolute_url()).content.decode()
    data = json_ld(body)
    assert data["@type"] == "Book" and data["name"] == "Cien años de soledad"
    assert data["isbn"] == "9780307474728"
    assert data["author"] == [{"@type": "Person", "name": "Gabriel García Márquez"}]
    assert data["image"].startswith("https://books.example.com/media/listings/")
    offer = data["offers"]
    assert offer["@type"] == "Offer" and offer["price"] == "9.50" and offer["priceCurrency"] == "USD"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["itemCondition"] == "https://schema.org/UsedCondition"
    assert offer["url"] == f"https://books.example.com{listing.get_absolute_url()}"


def test_sold_out_and_poor_copies_say_so(client, listing):
    Listing.objects.filter(pk=listing.pk).update(quantity=0, condition=Listing.Condition.POOR)
    offer = json_ld(client.get(listing.get_absolute_url()).content.decode())["offers"]
    assert offer["availability"] == "https://schema.org/OutOfStock"
    assert offer["itemCondition"] == "https://schema.org/DamagedCondition"


def test_json_ld_cannot_be_closed_by_a_title(client, alice):
    listing = ListingFactory(seller=alice, book__title="</script><script>alert(1)</script>")
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body
    assert json_ld(body)["name"] == "</script><script>alert(1)</script>"


def test_open_graph_and_twitter_tags_carry_the_cover_as_absolute_urls(client, listing):
    body = client.get(listing.get_absolute_url()).content.decode()
    assert meta(body, "property", "og:title") == "Cien años de soledad"
    assert meta(body, "property", "og:url") == f"https://books.example.com{listing.get_absolute_url()}"
    assert meta(body, "property", "og:image").startswith("https://books.example.com/media/listings/")
    assert meta(body, "name", "twitter:card") == "summary_large_image"
    assert meta(body, "name", "twitter:image") == meta(body, "property", "og:image")
    assert meta(body, "property", "book:isbn") == "9780307474728"
    assert f'<link rel="canonical" href="https://books.example.com{listing.get_absolute_url()}">' in body


def test_listing_without_photos_has_no_image_tags(client, alice):
    listing = ListingFactory(seller=alice)
    body = client.get(listing.get_absolute_url()).content.decode()
    assert meta(body, "property", "og:image") is None and meta(body, "name", "twitter:card") == "summary"
    assert "image" not in json_ld(body)


def test_book_meta_include_takes_several_offers(rf, alice, bob, settings):
    settings.SITE_URL = "https://books.example.com"
    book = BookFactory(title="Rayuela", authors="Julio Cortázar")
    copies = [ListingFactory(seller=alice, book=book), ListingFactory(seller=bob, book=book)]
    request = rf.get("/books/work/1/")
    body = render_to_string("catalog/_book_meta.html", {"book": book, "listings": copies}, request=request)
    data = json_ld(body)
    assert len(data["offers"]) == 2 and data["url"] == "https://books.example.com/books/work/1/"
    assert meta(body, "name", "description").startswith("Rayuela by Julio Cortázar")


@pytest.mark.parametrize(("language", "word"), [("en", "sells second-hand books from"), ("es", "vende libros")])
def test_shop_description_comes_from_the_shop(client, alice, language, word):
    shop = alice.shop
    body = client.get(shop.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    description = meta(body, "name", "description")
    assert description.startswith(shop.name) and word in description and shop.city in description


@pytest.mark.parametrize(("language", "word"), [("en", "second-hand books"), ("es", "libros de segunda mano")])
def test_other_pages_have_a_default_description(client, db, language, word):
    for path in ("/", "/books/", "/accounts/login/"):
        body = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert word in meta(body, "name", "description"), path


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_what_is_not_a_page(client, settings):
    settings.SITE_URL = "https://books.example.com"
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for path in ("/admin/", "/cart/add/", "/checkout/summary/", "/books/suggest/", "/sell/export/"):
        assert f"Disallow: {path}\n" in text
    # Pages stay crawlable (Lighthouse's is-crawlable): the sign-in wall keeps the private ones out of an index.
    disallowed = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Disallow: ")]
    for page in ("/cart/", "/checkout/", "/orders/", "/sell/", "/accounts/login/", "/messages/", "/wants/"):
        assert not any(page.startswith(prefix) for prefix in disallowed), page
    assert "Sitemap: https://books.example.com/sitemap.xml" in text
    assert client.post("/robots.txt").status_code == 405


def test_sitemap_lists_visible_listings_and_shops_in_pages(client, alice, bob, settings, monkeypatch):
    from catalog.sitemaps import ListingSitemap

    settings.SITE_URL = "https://books.example.com"
    monkeypatch.setattr(ListingSitemap, "limit", 2)
    shown = [ListingFactory(seller=alice) for _ in range(3)]
    hidden = [
        ListingFactory(seller=alice, status=Listing.Status.DRAFT),
        ListingFactory(seller=alice, status=Listing.Status.PAUSED),
    ]
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-listings.xml</loc>" in index and "/sitemap-listings.xml?p=2</loc>" in index
    assert "/sitemap-shops.xml</loc>" in index and "p=3" not in index

    pages = (
        client.get("/sitemap-listings.xml").content.decode() + client.get("/sitemap-listings.xml?p=2").content.decode()
    )
    for listing in shown:
        assert f"<loc>https://books.example.com{listing.get_absolute_url()}</loc>" in pages
    for listing in hidden:
        assert f"{listing.get_absolute_url()}</loc>" not in pages
    assert "<lastmod>" in pages
    shops = client.get("/sitemap-shops.xml").content.decode()
    assert f"<loc>https://books.example.com{alice.shop.get_absolute_url()}</loc>" in shops
    assert f"{bob.shop.get_absolute_url()}</loc>" in shops


def test_sitemap_pages_are_cached(client, alice, django_assert_max_num_queries):
    ListingFactory(seller=alice)
    first = client.get("/sitemap-listings.xml").content
    ListingFactory(seller=alice)
    with django_assert_max_num_queries(0):
        assert client.get("/sitemap-listings.xml").content == first


@pytest.mark.parametrize("path", ["/sitemap-nothing.xml", "/sitemap-listings.xml?p=9", "/sitemap-listings.xml?p=x"])
def test_bad_sitemap_addresses_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_sitemap_query_budget(client, alice, django_assert_max_num_queries):
    for _ in range(5):
        ListingFactory(seller=alice)
    with django_assert_max_num_queries(4):
        client.get("/sitemap.xml")
    with django_assert_max_num_queries(3):
        client.get("/sitemap-listings.xml")


@pytest.mark.django_db
def test_the_book_page_carries_its_offers_for_search_engines(client, alice, bob):
    first = ListingFactory(seller=alice, price=Decimal("7.50"), book__title="Pedro Páramo", book__authors="Juan Rulfo")
    ListingFactory(seller=bob, book=first.book, price=Decimal("9.00"))
    html = client.get(reverse("catalog:book", args=[first.book_id])).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Book" and data["name"] == "Pedro Páramo"
    offers = data["offers"] if isinstance(data["offers"], list) else [data["offers"]]
    assert sorted(str(offer["price"]) for offer in offers) == ["7.50", "9.00"]
    # The canonical address is the book's, whatever sort or filter the visitor chose.
    assert re.search(rf'<link rel="canonical" href="https?://[^"]+/books/work/{first.book_id}/">', html)
    assert '<meta name="description" content="' in html and "Juan Rulfo" in html


def test_sitemap_lists_books_with_a_copy_on_sale(client, alice, settings):
    settings.SITE_URL = "https://books.example.com"
    on_sale = ListingFactory(seller=alice)
    paused = ListingFactory(seller=alice, status=Listing.Status.PAUSED)
    assert "/sitemap-books.xml</loc>" in client.get("/sitemap.xml").content.decode()
    page = client.get("/sitemap-books.xml").content.decode()
    assert f"<loc>https://books.example.com/books/work/{on_sale.book_id}/</loc>" in page
    assert f"/books/work/{paused.book_id}/</loc>" not in page
