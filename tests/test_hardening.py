"""Production settings refuse weak secret keys; HEAD on /healthz works; TRACE never does."""

import re
import subprocess

import pytest
from django.test import Client

from tests.factories import ArticleFactory, attach_pdf
from tests.utils import BASE, run_settings

ENV_EXAMPLE = BASE / "deploy" / "newsroom.env.example"
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "news.example.edu.cn"}
MAKE_KEY = re.compile(
    r"Make (a new )?one with: python3 -c 'import secrets; print\(secrets.token_urlsafe\(50\)\)'"
)


def example_secret_key():
    text = ENV_EXAMPLE.read_text()
    return re.search(r"^DJANGO_SECRET_KEY=(.*)$", text, re.MULTILINE).group(1)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(example_secret_key(), id="env-example"),
        pytest.param("dev-only-insecure-key-do-not-use-in-production", id="development"),
        pytest.param("django-insecure-" + "a1b2c3d4e5" * 5, id="django-insecure"),
        pytest.param("change-me-" + "x" * 60, id="change-me-prefix"),
    ],
)
def test_production_refuses_placeholder_secret_keys(key):
    """A published placeholder is refused with DEBUG off, with the command that makes a key."""
    result = run_settings({**PRODUCTION, "DJANGO_SECRET_KEY": key}, "import config.settings")
    assert result.returncode != 0
    assert "placeholder" in result.stderr
    assert MAKE_KEY.search(result.stderr), result.stderr


def test_production_refuses_short_secret_keys():
    """A key under 50 characters is refused, and the message says how to make a good one."""
    result = run_settings(
        {**PRODUCTION, "DJANGO_SECRET_KEY": "Zq8" * 16 + "y"}, "import config.settings"
    )
    assert result.returncode != 0
    assert "49 characters long; at least 50" in result.stderr
    assert MAKE_KEY.search(result.stderr)


def test_the_documented_command_makes_an_accepted_key():
    """The command the message gives makes a key that production accepts."""
    key = subprocess.run(
        ["python3", "-c", "import secrets; print(secrets.token_urlsafe(50))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{50,}", key)
    code = "import config.settings as s; print(len(s.SECRET_KEY))"
    result = run_settings({**PRODUCTION, "DJANGO_SECRET_KEY": key}, code)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(key)


def test_development_still_runs_without_a_key():
    """With DEBUG on, no key is needed (the development key is used)."""
    code = "import config.settings as s; print(s.SECRET_KEY)"
    result = run_settings({}, code)
    assert result.stdout.strip() == "dev-only-insecure-key-do-not-use-in-production"


@pytest.mark.django_db
def test_head_healthz_answers_like_get():
    """Load balancers probe with HEAD: the same status and headers as GET, no body."""
    client = Client()
    get = client.get("/healthz")
    head = client.head("/healthz")
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


@pytest.mark.django_db
@pytest.mark.parametrize("cache", [False, True], ids=["uncached", "page-cache"])
def test_trace_is_refused_everywhere(settings, cache):
    """TRACE on every public URL (cached or not) is a 405, never the page."""
    settings.NEWSROOM_PAGE_CACHE = cache
    article = ArticleFactory()
    attachment = attach_pdf(article)
    department = article.category.department.slug
    paths = [
        "/",
        f"/articles/{article.pk}/",
        f"/{department}/",
        f"/{department}/{article.category.slug}/",
        "/search/?q=news",
        f"/feeds/{department}/rss.xml",
        f"/feeds/{department}/atom.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        attachment.get_absolute_url(),
        "/admin/login/",
    ]
    client = Client()
    for path in paths:
        client.get(path)  # fills the page cache where there is one
        response = client.generic("TRACE", path)
        assert response.status_code == 405, path
        assert "GET" in response["Allow"]
