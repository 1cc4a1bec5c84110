"""The site's pages about the API: personal access tokens on the profile, and the interactive documentation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from api.forms import TokenForm
from api.models import ApiToken
from api.services import TokenError, create_token, revoke_token

# Revoked tokens stay listed for a while so their owner sees what happened to them.
SHOWN_TOKENS = 100


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List the person's tokens and make a new one, whose secret is shown on this response only."""
    form = TokenForm(request.POST or None)
    secret, created, status = "", None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, secret = create_token(request.user, form.cleaned_data["name"], form.cleaned_data["scopes"])
            except TokenError as refusal:
                form.add_error(None, refusal.message)
                status = 400
            else:
                form = TokenForm()
        else:
            status = 400
    context = {
        "form": form,
        "tokens": list(ApiToken.objects.filter(user=request.user)[:SHOWN_TOKENS]),
        "secret": secret,
        "created": created,
    }
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if revoke_token(token):
        messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("api:tokens")


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """The API's reference, read from /api/v1/openapi.json by Swagger UI (served from our static files)."""
    return render(request, "api/docs.html", {"schema_url": reverse("api-v1:openapi-json")})
