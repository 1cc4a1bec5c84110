"""allauth's pages answer a form sent back with errors 400, as the site's own forms do."""

from django.http import HttpRequest


class RefusedFormStatusMiddleware:
    """A sign-in, sign-up, password or email form of allauth's that is shown again with its errors answers 400 Bad
    Request instead of allauth's 200: clients, proxies and monitoring see the refusal for what it is. The page and
    its messages stay as they were. Only allauth's views (and ours built on them, the sign-in page) and only their
    unrendered responses, whose form the hook can read, are touched; another status (429 for too many attempts)
    is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_template_response(self, request: HttpRequest, response):
        match = request.resolver_match
        if request.method == "POST" and response.status_code == 200 and match is not None and _is_allauths(match.func):
            form = (response.context_data or {}).get("form")
            if form is not None and form.is_bound and form.errors:
                response.status_code = 400
        return response


def _is_allauths(view) -> bool:
    view_class = getattr(view, "view_class", None)
    return view_class is not None and any(klass.__module__.startswith("allauth.") for klass in view_class.__mro__)
