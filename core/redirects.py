"""Where a form sends its user back to (``next``): a path of this site, never another site nor a URL name."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request: HttpRequest, target: str, fallback: str) -> str:
    """``target`` when it is a path of this site ("/sell/?page=2"), else ``fallback``.

    url_has_allowed_host_and_scheme() also accepts a bare word ("abc"), which redirect() would then try as a URL
    name: an error page after the action had been done. Only an absolute path goes through.
    """
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback
