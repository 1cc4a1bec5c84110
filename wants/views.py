"""The want list pages: /wants/ (wants, saved searches and matches on one page), adding and editing a want,
saving a catalog search, and the one-click unsubscribe of the digest's links. Thin: rules in wants.services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from catalog.forms.browse import BrowseForm
from catalog.isbn import try_normalize_isbn
from catalog.models import Listing
from core.numbers import is_ascii_number
from wants import services
from wants.forms import WantForm
from wants.models import Match, SavedSearch, Want


@login_required
def want_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    matches = list(
        Match.objects.filter(user=user)
        .select_related("listing__book", "want", "saved_search")
        .order_by("-created_at", "-id")[:50]
    )
    services.mark_seen(user)
    return render(
        request,
        "wants/list.html",
        {
            "wants": list(Want.objects.filter(user=user)),
            "searches": list(SavedSearch.objects.filter(user=user)),
            "matches": matches,
        },
    )


def _initial(request: HttpRequest) -> dict:
    """A new want's form, prefilled from a search (?q=) or a listing (?listing=), and the buyer's country."""
    initial = {"country": services.default_country(request.user), "min_condition": Listing.Condition.GOOD}
    q = " ".join(request.GET.get("q", "").split())[:200]
    listing_id = request.GET.get("listing", "")
    if is_ascii_number(listing_id, 11):
        listing = Listing.objects.select_related("book").filter(pk=int(listing_id)).first()
        if listing is not None:
            book = listing.book
            initial.update(isbn13=book.isbn13 or "", title=book.title[:200], author=book.authors[:200])
            initial.update(language=book.language, binding=book.binding, any_edition=bool(book.isbn13))
    elif q:
        isbn = try_normalize_isbn(q)
        initial.update({"isbn13": isbn} if isbn else {"title": q})
    return initial


def _save(request: HttpRequest, form: WantForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.save_want(request.user, form.instance)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def want_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = WantForm(request.POST, instance=Want(user=request.user))
        if _save(request, form):
            messages.success(request, _("Want added: we will email you when a copy turns up."))
            return redirect("wants:list")
        status = 400
    else:
        form, status = WantForm(initial=_initial(request)), 200
    return render(request, "wants/want_form.html", {"form": form, "want": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def want_edit(request: HttpRequest, pk: int) -> HttpResponse:
    want = services.get_want(request.user, pk)
    if request.method == "POST":
        form = WantForm(request.POST, instance=want)
        if _save(request, form):
            messages.success(request, _("Want saved."))
            return redirect("wants:list")
        status = 400
    else:
        form, status = WantForm(instance=want), 200
    return render(request, "wants/want_form.html", {"form": form, "want": want}, status=status)


@login_required
@require_POST
def want_pause(request: HttpRequest, pk: int) -> HttpResponse:
    want = services.get_want(request.user, pk)
    services.set_paused(want, not want.paused)
    messages.success(request, _("Want paused.") if want.paused else _("Want resumed."))
    return redirect("wants:list")


@login_required
@require_POST
def want_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete(services.get_want(request.user, pk))
    messages.success(request, _("Want deleted."))
    return redirect("wants:list")


def _search_query(form: BrowseForm) -> str:
    """The validated search as a canonical query string, without its sort order and page."""
    pairs = []
    for name, value in sorted(form.data.lists()):
        if name in ("sort", "page") or name not in form.fields:
            continue
        pairs.extend((name, item) for item in sorted(value) if item.strip())
    return urlencode(pairs)


@login_required
@require_http_methods(["GET", "POST"])
def search_save(request: HttpRequest) -> HttpResponse:
    """GET: confirm saving the catalog search in the query string; POST (to the same URL): save it."""
    form = BrowseForm(request.GET)
    error = ""
    if not form.is_valid():
        error = _("This search has filters that need fixing: go back to the catalog and search again.")
    elif not form.cleaned_data["q"]:
        error = _("Only a search with words can send new results. Add a word and try again.")
    if error:
        return render(request, "wants/search_confirm.html", {"error": error}, status=400)
    query = _search_query(form)
    if request.method == "POST":
        try:
            services.save_search(request.user, query, form.cleaned_data["q"])
        except ValidationError as exc:
            return render(request, "wants/search_confirm.html", {"error": " ".join(exc.messages)}, status=400)
        messages.success(request, _("Search saved: new results will come in your daily email."))
        return redirect("wants:list")
    return render(request, "wants/search_confirm.html", {"q": form.cleaned_data["q"], "query": query})


@login_required
@require_POST
def search_pause(request: HttpRequest, pk: int) -> HttpResponse:
    search = services.get_search(request.user, pk)
    services.set_paused(search, not search.paused)
    messages.success(request, _("Search paused.") if search.paused else _("Search resumed."))
    return redirect("wants:list")


@login_required
@require_POST
def search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete(services.get_search(request.user, pk))
    messages.success(request, _("Search deleted."))
    return redirect("wants:list")


# The signed token is the authority here (mail clients' one-click POST carries no CSRF token and no session).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(
            request,
            "wants/unsubscribe.html",
            {"error": _("This unsubscribe link is damaged or not ours. Manage your alerts on the want list page.")},
            status=400,
        )
    if request.method == "POST":
        kind = services.unsubscribe(token)
        return render(request, "wants/unsubscribe.html", {"done": True, "kind": kind})
    return render(request, "wants/unsubscribe.html", {"token": token})
