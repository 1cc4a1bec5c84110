"""Each shelf's name in both languages: English from the name it had, Spanish for the default shelves (0003).

A shelf staff added themselves gets its English name only; it shows in English to Spanish visitors until staff
type its Spanish name in the admin. A Spanish name staff already typed is kept.
"""

from django.db import migrations

# By slug, as migration 0003 created them.
SPANISH_NAMES = {
    "fiction": "Ficción",
    "mystery-thriller": "Misterio y suspenso",
    "science-fiction-fantasy": "Ciencia ficción y fantasía",
    "romance": "Novela romántica",
    "history": "Historia",
    "biography-memoir": "Biografías y memorias",
    "science-nature": "Ciencia y naturaleza",
    "philosophy-religion": "Filosofía y religión",
    "art-photography": "Arte y fotografía",
    "children": "Libros infantiles",
    "poetry-drama": "Poesía y teatro",
    "travel": "Viajes",
    "cooking": "Cocina y gastronomía",
    "business-economics": "Negocios y economía",
    "textbooks-reference": "Libros de texto y consulta",
    "comics": "Cómics y novelas gráficas",
    "other": "Otros",
}


def fill_names(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for category in Category.objects.all():
        changed = []
        if not category.name_en:
            category.name_en = category.name
            changed.append("name_en")
        if not category.name_es and category.slug in SPANISH_NAMES:
            category.name_es = SPANISH_NAMES[category.slug]
            changed.append("name_es")
        if changed:
            category.save(update_fields=changed)


def clear_spanish_names(apps, schema_editor):
    # The columns go with the previous migration's reversal; only the Spanish names this one wrote are undone here,
    # so reversing just this step leaves shelves as they were after 0005.
    Category = apps.get_model("catalog", "Category")
    for slug, name in SPANISH_NAMES.items():
        Category.objects.filter(slug=slug, name_es=name).update(name_es=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_category_name_translations")]

    operations = [migrations.RunPython(fill_names, clear_spanish_names)]
