"""The zh-hans translation is complete and compiled."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

needs_gettext = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgfmt")),
    reason="GNU gettext is not installed (.ci/run installs it)",
)


def untranslated(po_text):
    """msgids whose msgstr is empty or marked fuzzy."""
    missing = []
    for entry in po_text.split("\n\n"):
        match = re.search(r'^msgid "(.+)"\nmsgstr "(.*)"$', entry, re.M)
        if match and (not match.group(2) or "#, fuzzy" in entry):
            missing.append(match.group(1))
        plural = re.search(r'^msgid_plural "(.+)"', entry, re.M)
        if plural and re.search(r'^msgstr\[\d\] ""$', entry, re.M):
            missing.append(plural.group(1))
    return missing


def test_catalog_has_no_untranslated_entries():
    """Every message in the catalog has a Chinese translation."""
    assert untranslated(PO.read_text(encoding="utf-8")) == []


def test_untranslated_detector_works():
    """The check above does notice an empty translation."""
    assert untranslated('msgid "Hello"\nmsgstr ""') == ["Hello"]


@needs_gettext
def test_every_source_string_is_in_the_catalog(tmp_path):
    """Extracting messages from the current code adds nothing untranslated."""
    base = Path(settings.BASE_DIR)
    for name in ("newsroom", "templates", "config", "locale"):
        shutil.copytree(
            base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-wrap",
            "--no-obsolete",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    fresh = (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    assert untranslated(fresh) == []


@needs_gettext
def test_compiled_catalog_is_up_to_date(tmp_path):
    """The committed .mo matches the .po (run `make messages` after editing it)."""
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == MO.read_bytes()


def third_party_strings():
    """What Django's admin and auth and django-axes can show staff in the admin:
    the msgids of Django's catalogs, and every string django-axes marks."""
    import ast

    import axes
    import django

    found = set()
    contrib = Path(django.__file__).parent / "contrib"
    for app in ("admin", "auth"):
        po = (contrib / app / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text("utf-8")
        # Plural entries are looked up with ngettext; their Chinese comes with Django.
        singular = re.findall(r'^msgid "(.+)"\nmsgstr', po, re.M)
        found.update(m.replace('\\"', '"') for m in singular)
    for source in Path(axes.__file__).parent.rglob("*.py"):
        if "migrations" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_third_party_admin_strings_are_translated():
    """Every string the admin shows from Django and django-axes has Chinese
    (newsroom/third_party_strings.py fills the gaps of their catalogs)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        missing = sorted(
            text
            for text in third_party_strings()
            # Strings with no words (format strings only) are the same in Chinese.
            if re.search(r"[A-Za-z]", re.sub(r"%\(\w+\)s", "", text))
            and translation.gettext(text) == text
        )
    assert missing == []


def test_axes_app_has_a_chinese_name():
    """The admin's app list names django-axes in Chinese, not "Axes"."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(apps.get_app_config("axes").verbose_name) == "登录尝试"
