"""The API's URLs under /api/v1/: ninja's operations, and a problem (not the site's HTML page) for everything else
under the prefix: an unknown path (404) or a method the path does not take (405, with ``Allow``)."""

from functools import wraps

from django.http import JsonResponse
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.api import api
from api.errors import PROBLEM_JSON, problem


def _problem_for_405(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(PROBLEM_JSON):
            detail = _("This address does not take %(method)s.") % {"method": request.method}
            return problem(405, detail, code="method_not_allowed", headers={"Allow": response["Allow"]})
        return response

    return wrapped


@csrf_exempt
def not_found(request, rest: str = ""):
    return problem(404, _("There is no such address in the API."), code="not_found")


@csrf_exempt
def index(request, **kwargs):
    """/api/v1/ itself (ninja's root, which would answer the site's HTML 404): where the description is."""
    if request.method not in ("GET", "HEAD"):
        return problem(405, _("This address does not take %(method)s.") % {"method": request.method},
                       code="method_not_allowed", headers={"Allow": "GET, HEAD"})  # fmt: skip
    return JsonResponse({"openapi": reverse("api-v1:openapi-json"), "docs": reverse("api:docs")})


operations, ninja_app_name, ninja_namespace = api.urls
for pattern in operations:
    pattern.callback = index if pattern.name == "api-root" else _problem_for_405(pattern.callback)

urlpatterns = [
    path("", (operations, ninja_app_name, ninja_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
