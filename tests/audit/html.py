"""The Nu HTML checker (vnu.jar from npm's vnu-jar, run by Java) over the HTML of every audited page.

    script/validate-html          every page of tests/audit/scene.py in English and Spanish; exit 1 on an error

The pages are fetched from a production-like site (tests/audit/site.py), saved as files and checked by one vnu
run, so the Java start-up is paid once.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
LANGUAGES = ("en", "es")


def missing_tools() -> str | None:
    """Why the checker cannot run here, or None."""
    if JAVA is None:
        return "needs Java (script/bootstrap installs default-jre-headless)"
    if not VNU_JAR.is_file():
        return "needs vnu-jar from npm (script/bootstrap runs npm ci)"
    return None


def fetch_pages(site, languages=LANGUAGES) -> dict[str, str]:
    """{"name.lang": HTML} of every page of the site's scene; a page that does not answer 200 fails."""
    session = requests.Session()
    session.trust_env = False
    if site.certificate is not None:
        session.verify = str(site.certificate)
    documents = {}
    for language in languages:
        for page in site.pages:
            response = session.get(
                site.url(page["path"]),
                headers={"Cookie": site.cookie_header(page["who"], language)},
                allow_redirects=False,
                timeout=30,
            )
            if response.status_code != 200:
                raise AssertionError(f"{page['name']} ({language}) {page['path']} answered {response.status_code}")
            documents[f"{page['name']}.{language}"] = response.text
    return documents


def validate(documents: dict[str, str]) -> list[dict]:
    """vnu's messages of type "error" (and fatal ones) for the documents, each with the document's name."""
    folder = Path(tempfile.mkdtemp(prefix="bookstore-vnu-"))
    try:
        for name, html in documents.items():
            (folder / f"{name}.html").write_text(html)
        result = subprocess.run(  # noqa: S603 - fixed command
            [JAVA, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", str(folder)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        report = json.loads(result.stderr or result.stdout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    errors = []
    for message in report["messages"]:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            message["document"] = Path(message.get("url", "")).stem
            errors.append(message)
    return errors


def describe(error: dict) -> str:
    where = f"{error['document']}:{error.get('lastLine', '?')}"
    extract = " ".join(error.get("extract", "").split())[:160]
    return f"{where}: {error['message']}" + (f"\n    {extract}" if extract else "")


def main(argv: list[str]) -> int:
    from tests.audit.site import ProductionSite, RunningSite

    reason = missing_tools()
    if reason:
        print(f"Cannot run the Nu HTML checker: {reason}", file=sys.stderr)
        return 2
    # --site test-output/audit-site.json: a site already served by `python -m tests.audit.site`.
    with RunningSite(argv[1]) if argv[:1] == ["--site"] else ProductionSite() as site:
        documents = fetch_pages(site)
    errors = validate(documents)
    for error in errors:
        print(describe(error))
    print(f"Nu HTML checker: {len(errors)} errors in {len(documents)} pages")
    return 1 if errors else 0


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")
    django.setup()
    sys.exit(main(sys.argv[1:]))
