import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import FormerShopSlug, Shop, User
from conftest import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = {"name": "Paper Moon", "about": "", "city": "Guadalajara", "region": "", "country": "MX"}


# --- open_shop / update_shop --------------------------------------------------


@pytest.mark.parametrize("country", ["FR", "PE", "XX"])
def test_open_shop_refuses_a_country_our_carriers_do_not_serve(charlie, country):
    with pytest.raises(ValidationError) as exc:
        services.open_shop(charlie, {**DATA, "country": country})
    assert exc.value.error_dict["country"][0].code == "country_not_served"
    assert not Shop.objects.exists()


def test_update_shop_refuses_a_country_our_carriers_do_not_serve(alice):
    with pytest.raises(ValidationError):
        services.update_shop(alice.shop, {"country": "FR"})
    alice.shop.refresh_from_db()
    assert alice.shop.country.code == "CO"


def test_open_shop_derives_the_slug_from_the_name(charlie):
    shop = services.open_shop(charlie, {**DATA, "name": "  Librería Ñandú & Co. "})
    assert shop.pk
    assert shop.owner == charlie
    assert shop.name == "Librería Ñandú & Co."
    assert shop.slug == "libreria-nandu-co"


def test_open_shop_slug_falls_back_when_the_name_has_no_latin_letters(charlie):
    assert services.open_shop(charlie, {**DATA, "name": "書店"}).slug == "shop"
    other = UserFactory()
    assert services.open_shop(other, {**DATA, "name": "本屋"}).slug == "shop-2"


def test_open_shop_numbers_slugs_past_existing_ones(charlie):
    ShopFactory(name="Paper-Moon", slug="paper-moon")
    ShopFactory(name="Paper Moon!", slug="paper-moon-2")
    assert services.open_shop(charlie, DATA).slug == "paper-moon-3"


def test_open_shop_slug_fits_the_column(charlie):
    shop = services.open_shop(charlie, {**DATA, "name": "x" * 80})
    assert len(shop.slug) <= Shop._meta.get_field("slug").max_length


def test_open_shop_refuses_a_taken_name_in_any_case(alice, charlie):
    with pytest.raises(ValidationError) as exc:
        services.open_shop(charlie, {**DATA, "name": "alice's ATTIC"})
    assert "name" in exc.value.error_dict
    assert not Shop.objects.filter(owner=charlie).exists()


def test_open_shop_refuses_a_second_shop(alice):
    with pytest.raises(ValidationError):
        services.open_shop(alice, DATA)
    assert Shop.objects.filter(owner=alice).count() == 1


def test_open_shop_requires_name_city_and_country(charlie):
    with pytest.raises(ValidationError) as exc:
        services.open_shop(charlie, {"name": " ", "city": ""})
    assert set(exc.value.error_dict) == {"name", "city", "country"}


def test_open_shop_refuses_inactive_users(charlie):
    charlie.is_active = False
    with pytest.raises(PermissionDenied):
        services.open_shop(charlie, DATA)


def test_update_shop_keeps_the_slug_unless_renamed(alice):
    shop = alice.shop
    updated = services.update_shop(shop, {"city": "Cali"})
    assert (updated.city, updated.slug) == ("Cali", "alices-attic")
    updated = services.update_shop(shop, {"name": "The Attic"})
    assert updated.slug == "the-attic"
    assert Shop.objects.get(pk=shop.pk).slug == "the-attic"


def test_update_shop_works_from_the_stored_row(alice):
    """A form has already written the new name on the instance; the slug must still follow."""
    shop = alice.shop
    shop.name = "Renamed In Memory"
    updated = services.update_shop(shop, {"name": "Renamed In Memory"})
    assert updated.slug == "renamed-in-memory"


def test_update_shop_may_change_only_the_case_of_its_own_name(alice):
    assert services.update_shop(alice.shop, {"name": "ALICE'S ATTIC"}).name == "ALICE'S ATTIC"


def test_update_shop_refuses_another_shops_name(alice, bob):
    with pytest.raises(ValidationError) as exc:
        services.update_shop(bob.shop, {"name": "Alice's attic"})
    assert "name" in exc.value.error_dict
    assert Shop.objects.get(owner=bob).name == "Bob's Books"


# --- former slugs -------------------------------------------------------------


def former_slugs(shop: Shop) -> list[str]:
    return list(FormerShopSlug.objects.filter(shop=shop).order_by("slug").values_list("slug", flat=True))


def test_renaming_keeps_the_old_slug_as_a_former_slug(alice):
    shop = services.update_shop(alice.shop, {"name": "Attic Books"})
    assert former_slugs(shop) == ["alices-attic"]
    shop = services.update_shop(shop, {"name": "Paper Moon"})
    assert shop.slug == "paper-moon"
    assert former_slugs(shop) == ["alices-attic", "attic-books"]


def test_no_former_slug_when_the_slug_stays(alice):
    services.update_shop(alice.shop, {"city": "Cali", "about": "Maps."})
    shop = services.update_shop(alice.shop, {"name": "ALICE'S ATTIC"})  # renamed, same slug
    assert shop.slug == "alices-attic"
    assert not FormerShopSlug.objects.exists()


def test_renaming_back_gives_the_shop_its_old_slug_again(alice):
    services.update_shop(alice.shop, {"name": "Attic Books"})
    shop = services.update_shop(alice.shop, {"name": "Alice's Attic"})
    assert shop.slug == "alices-attic"
    assert former_slugs(shop) == ["attic-books"]


def test_a_new_shop_takes_a_former_slug_from_the_shop_that_had_it(alice, charlie):
    services.update_shop(alice.shop, {"name": "Attic Books"})
    shop = services.open_shop(charlie, {**DATA, "name": "Alice's Attic"})
    assert shop.slug == "alices-attic"
    assert not FormerShopSlug.objects.filter(slug="alices-attic").exists()
    assert former_slugs(alice.shop) == []


def test_a_rename_takes_a_former_slug_from_the_shop_that_had_it(alice, bob):
    services.update_shop(alice.shop, {"name": "Attic Books"})
    shop = services.update_shop(bob.shop, {"name": "Alice's Attic"})
    assert shop.slug == "alices-attic"
    assert former_slugs(alice.shop) == []
    assert former_slugs(shop) == ["bobs-books"]


def test_a_stale_former_slug_row_gives_way_to_the_shop_that_had_the_slug_live(alice, bob):
    # Written around the services (a shop created directly with a slug that was someone's former one).
    FormerShopSlug.objects.create(shop=bob.shop, slug="alices-attic")
    shop = services.update_shop(alice.shop, {"name": "Attic Books"})
    assert former_slugs(shop) == ["alices-attic"]
    assert former_slugs(bob.shop) == []


def test_a_refused_rename_records_no_former_slug(alice, bob):
    with pytest.raises(ValidationError):
        services.update_shop(bob.shop, {"name": "Alice's attic"})
    assert not FormerShopSlug.objects.exists()


def test_former_slugs_go_with_their_shop(alice):
    services.update_shop(alice.shop, {"name": "Attic Books"})
    alice.shop.delete()
    assert not FormerShopSlug.objects.exists()


# --- deactivate_users -------------------------------------------------------


def test_deactivate_users_returns_how_many(staff, alice, bob, charlie):
    count = services.deactivate_users(User.objects.filter(pk__in=[alice.pk, bob.pk]), by=staff)
    assert count == 2
    assert set(User.objects.filter(is_active=False).values_list("email", flat=True)) == {
        "alice@example.com",
        "bob@example.com",
    }
    assert User.objects.get(pk=charlie.pk).is_active


def test_deactivate_users_refuses_the_acting_user_and_superusers(staff, charlie):
    boss = UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    count = services.deactivate_users(User.objects.all(), by=staff)
    assert count == 1  # only charlie
    assert User.objects.get(pk=staff.pk).is_active
    assert User.objects.get(pk=boss.pk).is_active
    assert not User.objects.get(pk=charlie.pk).is_active
    refused = services.refused_for_deactivation(User.objects.all(), staff)
    assert set(refused) == {staff, boss}


def test_deactivate_users_skips_users_already_inactive(staff, charlie):
    charlie.is_active = False
    charlie.save()
    assert services.deactivate_users(User.objects.filter(pk=charlie.pk), by=staff) == 0


def test_only_staff_deactivate_users(alice, charlie):
    with pytest.raises(PermissionDenied):
        services.deactivate_users(User.objects.filter(pk=charlie.pk), by=alice)
    assert User.objects.get(pk=charlie.pk).is_active


def test_update_profile_trims_names(charlie):
    services.update_profile(charlie, first_name=" Ada ", last_name=" Lovelace ")
    charlie.refresh_from_db()
    assert charlie.get_full_name() == "Ada Lovelace"
