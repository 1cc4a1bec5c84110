"""Catalog data kept in every language of the site (django-modeltranslation).

Each field listed here gets one column per language (name_en, name_es); reading ``category.name`` gives the
active language's value, or the English one while a Spanish name is missing.
"""

from modeltranslation.translator import TranslationOptions, register

from catalog.models import Category


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name",)
    # English is required (the admin asks for it); other languages may wait for a translator.
    required_languages = ("en",)
