"""The language each person reads BookStore in, kept so that what reaches them later (an email sent by a job, a
report written by a background import) is in that language too.

It is the language of their last sign-in or language switch (``User.language``). Someone who has done neither since
it was kept gets the site's default language.
"""

from django.conf import settings
from django.utils.translation import get_supported_language_variant

from accounts.models import User


def language_of(user: User) -> str:
    """The language to write to ``user`` in: theirs if known, else the site's default."""
    return user.language or settings.LANGUAGE_CODE


def remember_language(user: User, code: str | None) -> None:
    """Keep ``code`` (a language the request ran in) as ``user``'s language; nothing for a code the site does not
    offer, nor when it is already theirs. One UPDATE of that column only: it races with no other save."""
    if not code or user.pk is None:
        return
    try:
        code = get_supported_language_variant(code)
    except LookupError:
        return
    if code != user.language:
        User.objects.filter(pk=user.pk).update(language=code)
        user.language = code
