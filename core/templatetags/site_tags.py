"""Template helpers used across the site: money, numbers, machine-readable dates, query-string edits."""

import functools
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_decimal
from django import template
from django.conf import settings
from django.contrib.messages import constants
from django.forms import BaseForm, BaseFormSet
from django.utils import dateformat, timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.filter
def money(value):
    """Format an amount in the site currency for the active language (es: 1.234,50 US$)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    language = get_language() or settings.LANGUAGE_CODE
    if not amount.is_finite():
        return _formatted(amount, language, settings.CURRENCY)
    return _formatted_once(amount, language, settings.CURRENCY)


def _formatted(amount: Decimal, language: str, currency: str) -> str:
    locale, pattern = _currency_format(language)
    return pattern.apply(amount, locale, currency=currency)


# The same prices come back on every page (a catalog holds a few thousand distinct ones): formatting one takes
# Babel some 40 us, finding it here well under one. Equal amounts (12.5 and 12.50) are formatted alike, to the
# currency's digits.
_formatted_once = functools.lru_cache(maxsize=8192)(_formatted)


@functools.lru_cache(maxsize=32)
def _currency_format(language: str):
    """The language's Babel locale and currency pattern, looked up once: what format_currency() looks up on every
    call, half of its time (a page of 25 listings formats 25 prices)."""
    locale = Locale.parse(to_locale(language))
    return locale, locale.currency_formats["standard"]


@register.filter
def number(value):
    """A whole number grouped the reader's way, as money is (en: 3,412 and 10,000; es: 3412 and 10.000)."""
    if value is None or value == "":
        return ""
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    return format_decimal(value, locale=locale)


@register.filter
def datetime_with_zone(value):
    """A moment in the language's DATETIME_FORMAT followed by the site's time zone (a deadline: "…, 14:05 UTC")."""
    if not isinstance(value, datetime):
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_format(value, 'DATETIME_FORMAT')} {dateformat.format(value, 'T')}".strip()


@register.filter
def iso_datetime(value):
    """The ISO 8601 value of a <time datetime> attribute: local time with its offset, milliseconds at most
    (Django's "c" format writes microseconds, which the HTML datetime syntax does not allow)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    return ""


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (None/"" removes them)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def bootstrap_widget(bound_field):
    """Render a bound field's widget with Bootstrap classes and ARIA links to its help and errors."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", "")
    if input_type in ("checkbox", "radio"):
        css = "form-check-input"
    elif input_type == "select" or widget.__class__.__name__.endswith("Select"):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_errors")
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def page_has_errors(context) -> bool:
    """Whether the page reports a failed round trip: the title then starts with "Error:" and focus goes to the message.

    True when a view sets ``page_has_errors``, when a bound form or formset in the context has errors (reading the
    errors a view's ``is_valid()`` already computed, never validating again), or when an error message is queued.
    """
    if context.get("page_has_errors"):
        return True
    for value in context.flatten().values():
        if isinstance(value, BaseForm) and value.is_bound and value._errors:
            return True
        if isinstance(value, BaseFormSet) and value.is_bound and (value._errors or value._non_form_errors):
            return True
    stored = context.get("messages")
    return bool(stored) and any(message.level >= constants.ERROR for message in stored)


@register.filter
def lang_attr(code):
    """` lang="xx"` for text in language ``code`` when it is not the page's language (WCAG 3.1.2), else "".

    ``code`` is a plain language subtag (a book's language: "en", "es", "fr"...); anything else ("other", empty)
    gives nothing, since the text's language is then unknown.
    """
    code = str(code or "").lower()
    if not (2 <= len(code) <= 3 and code.isascii() and code.isalpha()):
        return ""
    page = (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return "" if code == page else format_html(' lang="{}"', code)


@register.simple_tag
def select_options(choices, selected=None):
    """The ``<option>``s of a long select (a country picker: some 250 of them), ``selected`` marked.

    Written out in Python: the same loop in a template costs several nodes per option on every page view.
    """
    selected = "" if selected is None else str(selected)
    return mark_safe(_options_html(tuple((str(value), str(label)) for value, label in choices), selected))  # nosec B308 B703


@functools.lru_cache(maxsize=256)
def _options_html(choices: tuple[tuple[str, str], ...], selected: str) -> str:
    """The escaped options, kept per list and selection: a country picker is one of a few lists in each language,
    and escaping its 250 options took several milliseconds of every listing page."""
    chosen, other = '<option value="{}" selected>{}</option>', '<option value="{}">{}</option>'
    options = (format_html(chosen if value == selected else other, value, label) for value, label in choices)
    return str(format_html_join("", "{}", ((option,) for option in options)))
