"""A tracking event's country becomes a code, named in the reader's language when shown.

Until now ``location`` held the whole place, "Austin, United States of America", worded in whatever language
was active where the event was recorded (a worker, a seller's request). Forward, the trailing country name
(English or Spanish, as django-countries words it) moves to ``country`` as a code and ``location`` keeps the
city or hub name; a location whose ending names no country is left as it is. Backward, the two are joined
again with the country named in English.
"""

import django_countries.fields
from django.db import migrations
from django.utils import translation
from django_countries import countries

# Names written by the carrier simulator's hub lists before this change, which django-countries words
# differently ("United States of America").
LEGACY_NAMES = {"United States": "US"}
SEPARATOR = ", "


def _names() -> list[tuple[str, str]]:
    """(country name, code) in English and Spanish, longest first: the fullest name ending a location wins."""
    names = dict(LEGACY_NAMES)
    for language in ("en", "es"):
        with translation.override(language):
            names.update({str(name): code for code, name in countries})
    return sorted(names.items(), key=lambda item: len(item[0]), reverse=True)


def split_location(location: str, names: list[tuple[str, str]]) -> tuple[str, str]:
    """(city, country code) of a stored "City, Country"; (location, "") when no country name ends it."""
    for name, code in names:
        if location == name:
            return "", code
        if location.endswith(SEPARATOR + name):
            return location[: -len(SEPARATOR + name)], code
    return location, ""


def split_places(apps, schema_editor):
    ShipmentEvent = apps.get_model("orders", "ShipmentEvent")
    names = _names()
    legacy = ShipmentEvent.objects.filter(country="").exclude(location="").values_list("pk", "location")
    for pk, location in legacy.iterator():
        city, code = split_location(location, names)
        if code:
            ShipmentEvent.objects.filter(pk=pk).update(location=city, country=code)


def join_places(apps, schema_editor):
    ShipmentEvent = apps.get_model("orders", "ShipmentEvent")
    with translation.override("en"):
        split = ShipmentEvent.objects.exclude(country="").values_list("pk", "location", "country")
        for pk, location, code in split.iterator():
            place = SEPARATOR.join(part for part in (location, str(countries.name(code))) if part)
            ShipmentEvent.objects.filter(pk=pk).update(location=place[:120], country="")


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0004_move_shipments_from_shipping'),
    ]

    operations = [
        migrations.AddField(
            model_name='shipmentevent',
            name='country',
            field=django_countries.fields.CountryField(blank=True, default='', db_default='', max_length=2, verbose_name='country'),
        ),
        migrations.RunPython(split_places, join_places),
    ]
