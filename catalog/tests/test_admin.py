"""The catalog back office: every page renders within budget, and the moderation actions work."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from catalog.images import process_photo
from catalog.models import Book, Category, Listing, ListingPhoto, Report
from conftest import CategoryFactory, ListingFactory, UserFactory, make_upload

pytestmark = pytest.mark.django_db

Status = Listing.Status


def add_photo(listing, position=0):
    processed = process_photo(make_upload())
    return ListingPhoto.objects.create(
        listing=listing,
        image=processed.image,
        thumbnail=processed.thumbnail,
        width=processed.width,
        height=processed.height,
        position=position,
    )


def report(listing, reporter, text="This is a photocopy, not a real book.", **kwargs):
    return Report.objects.create(
        listing=listing, reporter=reporter, reason=Report.Reason.COUNTERFEIT, text=text, **kwargs
    )


@pytest.fixture
def catalog_rows(alice, bob, charlie):
    """A dozen listings with books, photos and reports, so list pages show any N+1 query."""
    listings = [ListingFactory(seller=alice if n % 2 else bob) for n in range(12)]
    for listing in listings[:4]:
        add_photo(listing)
        report(listing, charlie)
    return listings


def post_action(client, changelist, action, objects, **extra):
    return client.post(
        reverse(changelist),
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra},
        follow=True,
    )


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


# --- Every page renders for staff within a query budget ---------------------


# Queries with a dozen rows on the page; the same with one row, so a per-row query fails the budget.
@pytest.mark.parametrize(
    "model, list_budget, change_budget",
    [(Category, 6, 5), (Book, 9, 6), (Listing, 9, 8), (ListingPhoto, 8, 7), (Report, 8, 5)],
)
def test_changelist_and_change_form_render_for_staff(
    client_for, staff, catalog_rows, model, list_budget, change_budget, django_assert_max_num_queries
):
    client = client_for(staff)
    opts = model._meta
    with django_assert_max_num_queries(list_budget):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0

    obj = model.objects.order_by("pk").first()
    with django_assert_max_num_queries(change_budget):
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [Category, Book, Listing])
def test_add_forms_render_for_staff(client_for, staff, model):
    opts = model._meta
    response = client_for(staff).get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [Category, Book, Listing, ListingPhoto, Report])
def test_non_staff_and_anonymous_see_nothing(client, charlie, catalog_rows, model):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response.url
    client.force_login(charlie)
    response = client.get(url, follow=True)
    assert response.status_code == 403
    assert "Dune" not in response.content.decode()


# --- Categories and books ---------------------------------------------------


def test_category_position_is_editable_in_the_list(client_for, staff):
    poetry = CategoryFactory(name="Poetry", slug="poetry", position=5)
    client = client_for(staff)
    url = reverse("admin:catalog_category_changelist")
    categories = list(client.get(url).context["cl"].result_list)
    data = {
        "form-TOTAL_FORMS": len(categories),
        "form-INITIAL_FORMS": len(categories),
        "_save": "Save",
    }
    for index, category in enumerate(categories):
        data[f"form-{index}-id"] = category.pk
        data[f"form-{index}-position"] = 1 if category == poetry else category.position
    assert client.post(url, data).status_code == 302
    poetry.refresh_from_db()
    assert poetry.position == 1


def test_a_category_added_by_staff_appears_in_the_catalog_filters_at_once(
    client_for, staff, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    assert 'value="rare-maps"' not in client.get(reverse("catalog:browse")).content.decode()  # warms the cache
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:catalog_category_add"),
            {"name_en": "Rare maps", "name_es": "Mapas antiguos", "slug": "rare-maps", "position": 3},
        )
    assert response.status_code == 302
    assert 'value="rare-maps"' in client.get(reverse("catalog:browse")).content.decode()


def test_category_slug_is_prepopulated_from_the_name(client_for, staff):
    html = client_for(staff).get(reverse("admin:catalog_category_add")).content.decode()
    assert "data-prepopulated-fields" in html
    assert "#id_slug" in html


def test_book_admin_stores_isbn_13_and_finds_it_typed_with_hyphens(client_for, staff):
    category = CategoryFactory()
    client = client_for(staff)
    response = client.post(
        reverse("admin:catalog_book_add"),
        {
            "isbn13": "0-14-044913-2",
            "title": "Crime and Punishment",
            "authors": "Fyodor Dostoevsky",
            "publisher": "Penguin",
            "year": "2003",
            "language": "en",
            "binding": "paperback",
            "category": category.pk,
            "description": "",
        },
    )
    assert response.status_code == 302
    assert Book.objects.get(title="Crime and Punishment").isbn13 == "9780140449136"
    html = client.get(reverse("admin:catalog_book_changelist"), {"q": "0-14-044913-2"}).content.decode()
    assert "Crime and Punishment" in html


def test_book_admin_rejects_a_bad_isbn(client_for, staff):
    category = CategoryFactory()
    response = client_for(staff).post(
        reverse("admin:catalog_book_add"),
        {
            "isbn13": "9780140449137",
            "title": "X",
            "authors": "Y",
            "language": "en",
            "binding": "paperback",
            "category": category.pk,
        },
    )
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert not Book.objects.filter(title="X").exists()


# --- Listings: find, hide, unhide -------------------------------------------


def test_listing_changelist_columns_filters_and_search(client_for, staff, alice, bob_listing, catalog_rows):
    named = ListingFactory(
        seller=alice, book__title="Pedro Páramo", book__isbn13="9780802133908", price=Decimal("7.25")
    )
    client = client_for(staff)
    url = reverse("admin:catalog_listing_changelist")
    html = client.get(url).content.decode()
    assert "$7.25" in html
    for query in ("Páramo", "978-0-8021-3390-8", "alice@example.com"):
        response = client.get(url, {"q": query})
        assert named in response.context["cl"].result_list, query
    response = client.get(url, {"q": "Páramo"})
    assert bob_listing not in response.context["cl"].result_list
    response = client.get(url, {"status__exact": "hidden"})
    assert response.context["cl"].result_count == 0
    response = client.get(url, {"reported": "open"})
    assert response.context["cl"].result_count == 4


def test_listing_change_form_shows_photos_read_only(client_for, staff, alice_listing):
    photo = add_photo(alice_listing)
    html = client_for(staff).get(reverse("admin:catalog_listing_change", args=[alice_listing.pk])).content.decode()
    assert photo.thumbnail.url in html
    assert 'alt="Photo 1"' in html
    assert "photos-0-position" not in html  # no editable inline fields
    assert 'name="units_sold"' not in html
    assert 'name="status"' not in html  # status moves only through the actions


def test_hide_with_reason_takes_listing_out_of_the_catalog(client_for, staff, alice_listing, bob_listing):
    response = post_action(
        client_for(staff),
        "admin:catalog_listing_changelist",
        "hide_selected",
        [alice_listing],
        reason="Counterfeit edition",
    )
    assert response.status_code == 200
    assert "1 listing was hidden." in page_messages(response)
    stored = Listing.objects.get(pk=alice_listing.pk)
    assert (stored.status, stored.hidden_reason, stored.status_before_hidden) == (
        Status.HIDDEN,
        "Counterfeit edition",
        Status.ACTIVE,
    )
    visible = Listing.objects.visible()
    assert alice_listing not in visible
    assert bob_listing in visible
    assert LogEntry.objects.filter(object_id=str(alice_listing.pk), change_message__contains="Counterfeit").exists()


def test_hide_without_reason_changes_nothing_and_says_why(client_for, staff, alice_listing):
    response = post_action(client_for(staff), "admin:catalog_listing_changelist", "hide_selected", [alice_listing])
    assert response.status_code == 200
    assert any("Type the reason" in message for message in page_messages(response))
    stored = Listing.objects.get(pk=alice_listing.pk)
    assert (stored.status, stored.hidden_reason) == (Status.ACTIVE, "")
    assert alice_listing in Listing.objects.visible()


def test_the_action_bar_has_a_reason_box(client_for, staff, alice_listing):
    html = client_for(staff).get(reverse("admin:catalog_listing_changelist")).content.decode()
    assert 'name="reason"' in html
    assert "Hide from the catalog" in html


def test_hiding_an_archived_listing_is_refused_with_a_message(client_for, staff, alice, alice_listing):
    archived = ListingFactory(seller=alice, status=Status.ARCHIVED)
    response = post_action(
        client_for(staff),
        "admin:catalog_listing_changelist",
        "hide_selected",
        [alice_listing, archived],
        reason="Spam",
    )
    messages = page_messages(response)
    assert "1 listing was hidden." in messages
    assert any(f"#{archived.pk} cannot be hidden" in message for message in messages)
    assert Listing.objects.get(pk=archived.pk).status == Status.ARCHIVED


def test_unhide_restores_the_previous_status(client_for, staff, alice):
    paused = ListingFactory(seller=alice, status=Status.PAUSED)
    client = client_for(staff)
    post_action(client, "admin:catalog_listing_changelist", "hide_selected", [paused], reason="Check photos")
    response = post_action(client, "admin:catalog_listing_changelist", "unhide_selected", [paused])
    assert "1 listing was unhidden." in page_messages(response)
    stored = Listing.objects.get(pk=paused.pk)
    assert (stored.status, stored.hidden_reason) == (Status.PAUSED, "")


def test_unhiding_a_visible_listing_is_refused(client_for, staff, alice_listing):
    response = post_action(client_for(staff), "admin:catalog_listing_changelist", "unhide_selected", [alice_listing])
    assert any("is not hidden" in message for message in page_messages(response))
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE


def test_listings_cannot_be_deleted_from_the_admin(client_for, staff, alice_listing):
    client = client_for(staff)
    html = client.get(reverse("admin:catalog_listing_changelist")).content.decode()
    assert "delete_selected" not in html
    response = client.post(reverse("admin:catalog_listing_delete", args=[alice_listing.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Listing.objects.filter(pk=alice_listing.pk).exists()


# --- Reports: the moderation queue ------------------------------------------


def test_report_queue_shows_open_reports_by_default(client_for, staff, charlie, alice_listing, bob_listing):
    open_report = report(alice_listing, charlie, text="Pages are photocopied " + "and more " * 30)
    dismissed = report(bob_listing, charlie, status=Report.Status.DISMISSED)
    client = client_for(staff)
    url = reverse("admin:catalog_report_changelist")

    response = client.get(url)
    assert list(response.context["cl"].result_list) == [open_report]
    html = response.content.decode()
    assert reverse("admin:catalog_listing_change", args=[alice_listing.pk]) in html
    assert "Pages are photocopied" in html
    assert "and more " * 30 not in html  # an excerpt, not the whole text
    assert "charlie@example.com" in html

    response = client.get(url, {"status": "all"})
    assert list(response.context["cl"].result_list) == [open_report, dismissed]  # open first
    response = client.get(url, {"status": "dismissed"})
    assert list(response.context["cl"].result_list) == [dismissed]


def test_reports_are_read_only_and_never_added_by_staff(client_for, staff, charlie, alice_listing):
    item = report(alice_listing, charlie)
    client = client_for(staff)
    html = client.get(reverse("admin:catalog_report_change", args=[item.pk])).content.decode()
    assert 'name="text"' not in html
    assert client.get(reverse("admin:catalog_report_add")).status_code == 403


def test_hide_and_resolve_action(client_for, staff, charlie, alice_listing):
    first = report(alice_listing, charlie)
    second = report(alice_listing, UserFactory())
    response = post_action(
        client_for(staff), "admin:catalog_report_changelist", "hide_and_resolve", [first], reason="Pirated"
    )
    assert "1 listing(s) hidden and 2 open report(s) resolved." in page_messages(response)
    stored = Listing.objects.get(pk=alice_listing.pk)
    assert (stored.status, stored.hidden_reason) == (Status.HIDDEN, "Pirated")
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.ACTIONED}
    second.refresh_from_db()
    assert second.resolved_by == staff
    # The queue is empty now.
    assert response.context["cl"].result_count == 0


def test_hide_and_resolve_without_reason_changes_nothing(client_for, staff, charlie, alice_listing):
    item = report(alice_listing, charlie)
    response = post_action(client_for(staff), "admin:catalog_report_changelist", "hide_and_resolve", [item])
    assert any("Give a reason" in message for message in page_messages(response))
    item.refresh_from_db()
    assert item.status == Report.Status.OPEN
    assert Listing.objects.get(pk=alice_listing.pk).status == Status.ACTIVE


def test_dismiss_action_keeps_the_listing(client_for, staff, charlie, alice_listing):
    item = report(alice_listing, charlie)
    response = post_action(
        client_for(staff), "admin:catalog_report_changelist", "dismiss", [item], reason="Checked, it is genuine"
    )
    assert "1 report was dismissed." in page_messages(response)
    item.refresh_from_db()
    assert (item.status, item.resolution_note, item.resolved_by) == (
        Report.Status.DISMISSED,
        "Checked, it is genuine",
        staff,
    )
    assert alice_listing in Listing.objects.visible()


@pytest.mark.parametrize(
    ("changelist", "action", "selected"),
    [
        ("admin:catalog_listing_changelist", "hide_selected", "listing"),
        ("admin:catalog_report_changelist", "hide_and_resolve", "report"),
    ],
)
def test_hiding_in_the_admin_emails_the_seller_the_reason_and_the_way_to_appeal(
    client_for,
    staff,
    charlie,
    alice_listing,
    mailoutbox,
    django_capture_on_commit_callbacks,
    changelist,
    action,
    selected,
    settings,
):
    settings.SITE_URL = "https://books.example.org"
    chosen = alice_listing if selected == "listing" else report(alice_listing, charlie)
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client_for(staff), changelist, action, [chosen], reason="Pirated copy")
    (message,) = mailoutbox
    assert message.to == ["alice@example.com"]
    assert "Pirated copy" in message.body and "https://books.example.org/sell/?status=hidden" in message.body
    # The inventory link leads to the reason and the appeal form.
    html = client_for(alice_listing.seller).get(reverse("sell:inventory"), {"status": "hidden"}).content.decode()
    assert "Pirated copy" in html and reverse("sell:listing_appeal", args=[alice_listing.pk]) in html
