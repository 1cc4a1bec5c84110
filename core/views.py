"""Small helpers shared by the views of several apps."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


def signed_in_or_back_to(url_name: str, *kwarg_names: str) -> Callable:
    """For POST-only views: an anonymous visitor goes to the login page, then back to a page that answers GET.

    ``login_required`` would bring them back to the POST-only URL itself, which answers 405 to the GET.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(reverse(url_name, kwargs={name: kwargs[name] for name in kwarg_names}))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
