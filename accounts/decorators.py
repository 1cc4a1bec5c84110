"""Access rules for views: who may open the seller's pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def seller_required(view: Callable) -> Callable:
    """Require a signed-in user with a shop; send anyone without a shop to set one up."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not hasattr(request.user, "shop"):
            messages.info(request, _("Set up your shop first; then you can list your books."))
            return redirect("accounts:shop_edit")
        return view(request, *args, **kwargs)

    return login_required(wrapper)
