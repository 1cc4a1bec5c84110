"""A buyer's wants and saved searches: adding, changing, pausing, deleting, and the matches they see.

Every function takes the user and answers Http404 for someone else's want or search.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models import Book
from orders.models import Address
from wants.models import MAX_SEARCHES_PER_USER, MAX_WANTS_PER_USER, Match, SavedSearch, Want
from wants.services.badge import forget_counts
from wants.services.words import MAX_WORDS, key_word, text_words

UNSUBSCRIBE_SALT = "wants.unsubscribe"
KINDS = ("want", "search", "all")
WANT_FIELDS = ("isbn13", "any_edition", "title", "author", "min_condition", "max_price", "country", "language",
               "binding")  # fmt: skip


def default_country(user) -> str:
    """The country of the buyer's most recent saved address, or "" when they have none."""
    address = Address.objects.filter(user=user).order_by("-created_at", "-id").only("country").first()
    return address.country.code if address else ""


def prepare_want(want: Want) -> None:
    """Fill the words a want is matched by from its title and author words (or its book's, for any edition)."""
    title, author = want.title, want.author
    if want.isbn13 and want.any_edition and not (title or author):
        book = Book.objects.filter(isbn13=want.isbn13).only("title", "authors").first()
        if book is None:
            raise ValidationError(
                {"title": _("We do not know the title of this ISBN yet: type the title and author words.")},
                code="unknown_isbn",
            )
        want.title, want.author = title, author = book.title[:200], book.authors[:200]
    words = text_words(f"{title} {author}")
    if len(words) > MAX_WORDS:
        raise ValidationError({"title": _("Use at most %(max)d words.") % {"max": MAX_WORDS}}, code="too_many_words")
    if not want.isbn13 and not words:
        raise ValidationError(_("Give an ISBN, or words of the title or the author."), code="empty")
    if want.isbn13 and not want.any_edition:
        want.words, want.key_word = "", ""
    else:
        want.words, want.key_word = " ".join(words), key_word(words)


def save_want(user, want: Want) -> Want:
    """Create or update ``want`` for ``user``. Raises ValidationError for an empty want or one too many."""
    prepare_want(want)
    with transaction.atomic():
        if want.pk is None:
            if Want.objects.filter(user=user).count() >= MAX_WANTS_PER_USER:
                raise ValidationError(
                    _("You have %(max)d wants already: delete some before adding more.") % {"max": MAX_WANTS_PER_USER},
                    code="too_many",
                )
            want.user = user
            want.site_language = (get_language() or "en")[:8]
        want.save()
    return want


def get_want(user, pk) -> Want:
    try:
        return Want.objects.get(pk=int(pk), user_id=user.pk)
    except (Want.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def get_search(user, pk) -> SavedSearch:
    try:
        return SavedSearch.objects.get(pk=int(pk), user_id=user.pk)
    except (SavedSearch.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def set_paused(obj: Want | SavedSearch, paused: bool) -> None:
    obj.paused = paused
    obj.save(update_fields=["paused"])


def delete(obj: Want | SavedSearch) -> None:
    with transaction.atomic():
        user_id = obj.user_id
        obj.delete()
        forget_counts([user_id])


def save_search(user, query: str, q: str) -> SavedSearch:
    """Keep a catalog search (its validated query string) for ``user``; the same search twice is kept once.

    Raises ValidationError when it has no words (searches are matched by their words) or one too many.
    """
    words = text_words(q)
    if not words:
        raise ValidationError(_("Only a search with words can send new results. Add a word and try again."))
    existing = SavedSearch.objects.filter(user=user, query=query).first()
    if existing:
        if existing.paused:
            set_paused(existing, False)
        return existing
    if SavedSearch.objects.filter(user=user).count() >= MAX_SEARCHES_PER_USER:
        raise ValidationError(
            _("You have %(max)d saved searches already: delete some first.") % {"max": MAX_SEARCHES_PER_USER}
        )
    return SavedSearch.objects.create(
        user=user, query=query, q=q[:200], key_word=key_word(words), site_language=(get_language() or "en")[:8]
    )


def mark_seen(user) -> None:
    with transaction.atomic():
        if Match.objects.filter(user_id=user.pk, seen_at__isnull=True).update(seen_at=timezone.now()):
            forget_counts([user.pk])


# --- One-click unsubscribe --------------------------------------------------------------------------------


def unsubscribe_token(user_id: int, kind: str, pk: int | None = None) -> str:
    """A signed token that stops one want's ("want"), one search's ("search") or all ("all") emails."""
    return signing.dumps({"u": user_id, "k": kind, "id": pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str, int | None]:
    """(user id, kind, id) of a token; raises signing.BadSignature when forged, damaged or malformed."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(data, dict)
        or data.get("k") not in ("want", "search", "all")
        or not isinstance(data.get("u"), int)
    ):
        raise signing.BadSignature("malformed")
    return data["u"], data["k"], data.get("id")


def unsubscribe(token: str) -> str:
    """Pause what the token names (a want, a search, or all of the user's). Returns the kind.

    Raises signing.BadSignature for a bad token; an already deleted want or search is no error.
    """
    user_id, kind, pk = read_unsubscribe_token(token)
    if kind in ("want", "all"):
        wants = Want.objects.filter(user_id=user_id)
        (wants.filter(pk=pk) if kind == "want" else wants).update(paused=True)
    if kind in ("search", "all"):
        searches = SavedSearch.objects.filter(user_id=user_id)
        (searches.filter(pk=pk) if kind == "search" else searches).update(paused=True)
    return kind
