import re

import pytest
from django.core import mail

NAVBAR = 'class="navbar-brand'


def assert_in_layout(response, status: int = 200):
    """The page answers ``status`` and is drawn in the site's own layout (navbar, main landmark, Bootstrap): a form
    refused with its errors answers 400 (accounts.middleware)."""
    assert response.status_code == status
    html = response.content.decode()
    assert NAVBAR in html
    assert '<main id="main"' in html
    assert "vendor/bootstrap/bootstrap.used.css" in html
    return html


def last_email_link(pattern: str) -> str:
    """The first URL in the last email sent whose path matches ``pattern``."""
    assert mail.outbox, "no email was sent"
    urls = re.findall(r"https?://[^\s]+", mail.outbox[-1].body)
    for url in urls:
        if re.search(pattern, url):
            return url
    raise AssertionError(f"no link matching {pattern!r} in: {mail.outbox[-1].body}")


@pytest.fixture(autouse=True)
def _allauth_defaults(settings):
    # The environment may relax verification; these tests describe the default set-up.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
