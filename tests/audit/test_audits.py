"""Tools nobody here wrote, on the site served as in production (tests/audit/site.py: gunicorn, DEBUG off, behind
the deploy/nginx template): the Nu HTML checker finds no error on any audited page in English or Spanish, and
Lighthouse scores 100 for accessibility, best practices and SEO, and at least 90 for performance (it follows
the machine's load), on a handful of pages, on a phone and on a desktop.

One site for the module, with a part of the demo data (tests/audit/scene.py --small): building its database
(migrations, listings with photos, the scene) is much of the time. The full Lighthouse run over every page is
script/lighthouse (README, "Lighthouse and the Nu HTML checker against a local server").
"""

import pytest

from tests.audit import html, lighthouse
from tests.audit.site import ProductionSite

pytestmark = [pytest.mark.slow]

# A buyer's and a seller's pages, a form, and the catalog, some in each language (Lighthouse's language-dependent
# checks, such as link texts, run in both): each on a phone and on a desktop, twelve runs in all.
LIGHTHOUSE_PAGES = {
    "en": ["home", "listing", "checkout"],
    "es": ["catalog-copies", "inventory", "sale"],
}

# Accessibility, best practices and SEO depend on the pages alone: 100, always. Performance on a simulated phone
# also follows the load of the machine that runs the suite (its blocking time is measured, then slowed down four
# times), so here it must reach 90; docs/lighthouse.md has the full run on a quiet machine, and script/lighthouse
# retries a page below 100 to tell the page from the machine.
PERFORMANCE_FLOOR = {"performance": 90}


@pytest.fixture(scope="module")
def site():
    with ProductionSite(small=True, log=lambda message: None) as site:
        yield site


@pytest.mark.skipif(html.missing_tools() is not None, reason=html.missing_tools() or "")
def test_every_page_is_valid_html_in_both_languages(site):
    documents = html.fetch_pages(site)
    assert len(documents) == 2 * len(site.pages)
    errors = html.validate(documents)
    assert not errors, f"The Nu HTML checker found {len(errors)} errors:\n" + "\n".join(map(html.describe, errors))


@pytest.mark.browser
@pytest.mark.skipif(lighthouse.missing_tools() is not None, reason=lighthouse.missing_tools() or "")
@pytest.mark.parametrize("language", list(LIGHTHOUSE_PAGES))
def test_lighthouse_scores_100_on_a_phone_and_a_desktop(site, language):
    pages = [page for page in site.pages if page["name"] in LIGHTHOUSE_PAGES[language]]
    assert len(pages) == len(LIGHTHOUSE_PAGES[language])
    results = lighthouse.run(site, pages, languages=[language], timeout=600)
    assert len(results) == 2 * len(pages)
    problems = lighthouse.below_100(results, floors=PERFORMANCE_FLOOR)
    assert not problems, "Lighthouse scores below 100:\n" + "\n".join(problems)
