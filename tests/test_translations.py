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
