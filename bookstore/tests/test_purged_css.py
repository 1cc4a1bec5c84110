"""The pages link only the Bootstrap rules and plugins they use (static/vendor/bootstrap/bootstrap.used.css and
bootstrap.used.js, built by script/build-css.mjs and script/build-js.mjs): every Bootstrap class a template names must
still be in the CSS, and every plugin a template calls on (data-bs-toggle, data-bs-dismiss) in the script.

When this fails after a template change, run `make css` (script/bootstrap does) and commit the rebuilt files.
"""

import re
from pathlib import Path

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor" / "bootstrap"
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def css_classes(path: Path) -> set[str]:
    text = re.sub(r"\{[^{}]*\}", "{}", path.read_text(encoding="utf-8"))  # keep selectors, drop declarations
    text = re.sub(r"\{[^{}]*\}", "{}", text)  # the blocks inside @media
    return set(SELECTOR_CLASS.findall(text))


def template_classes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            if "admin" in template.relative_to(directory).parts:
                continue  # the admin has its own styles
            text = template.read_text(encoding="utf-8")
            for value in CLASS_ATTRIBUTE.findall(text):
                # Words in {% if %} branches are classes too; template code itself is not.
                words = re.sub(r"\{%\s*(?:if|elif)\b[^%]*%\}|\{%\s*(?:else|endif)\s*%\}", " ", value)
                for token in TEMPLATE_CODE.sub(" ", words).split():
                    found.setdefault(token, set()).add(str(template.relative_to(directory)))
    return found


def test_the_base_layout_links_the_purged_files_and_defers_its_script():
    base = (TEMPLATE_DIRS[0] / "base.html").read_text(encoding="utf-8")
    assert "vendor/bootstrap/bootstrap.used.css" in base and "bootstrap.min.css" not in base
    assert re.search(r"bootstrap\.used\.js' %\}\"[^>]*\bdefer\b", base)
    assert "bootstrap.bundle" not in base


def test_every_plugin_the_templates_call_on_is_in_the_built_script():
    build = (Path(settings.BASE_DIR) / "script" / "build-js.mjs").read_text(encoding="utf-8")
    plugins = set(re.findall(r'"(\w+)"', re.search(r"PLUGINS = \[([^\]]*)\]", build).group(1)))
    called = set()
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            called |= set(re.findall(r'data-bs-(?:toggle|dismiss)="(\w+)"', template.read_text(encoding="utf-8")))
    assert {"alert", "collapse", "dropdown"} <= called
    assert called <= plugins, f"add {sorted(called - plugins)} to PLUGINS in script/build-js.mjs, then `make css`"
    header = (VENDOR / "bootstrap.used.js").read_text(encoding="utf-8").split("*/", 1)[0]
    assert all(name in header for name in plugins), "rebuild with `npm run build:js`"


def test_every_bootstrap_class_the_templates_use_is_in_the_purged_css():
    full = css_classes(VENDOR / "bootstrap.min.css")
    used = css_classes(VENDOR / "bootstrap.used.css")
    classes = template_classes()
    assert {"container", "btn", "card", "navbar", "visually-hidden-focusable"} <= set(classes)
    missing = {name: sorted(where)[:3] for name, where in classes.items() if name in full and name not in used}
    assert not missing, f"rebuild with `npm run build:css`; missing: {missing}"


def test_classes_bootstraps_scripts_add_are_kept():
    used = css_classes(VENDOR / "bootstrap.used.css")
    assert {"show", "collapsing", "fade", "alert-success", "alert-info", "alert-warning", "alert-danger"} <= used


def test_the_purged_file_is_much_smaller():
    assert (VENDOR / "bootstrap.used.css").stat().st_size < (VENDOR / "bootstrap.min.css").stat().st_size * 0.5
