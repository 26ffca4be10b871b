"""Public URLs formatted from patterns reversed once (newsroom/urlcache.py)."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from newsroom.urlcache import url_for


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("newsroom:article-detail", {"pk": 42}),
        ("newsroom:department-detail", {"slug": "cs"}),
        ("newsroom:category-article-list", {"department_slug": "cs", "slug": "news"}),
        ("newsroom:category-article-list", {"slug": "news", "department_slug": "cs"}),
    ],
)
def test_same_urls_as_reverse(name, kwargs):
    assert url_for(name, **kwargs) == reverse(name, kwargs=kwargs)


def test_numbers_given_as_text_are_quoted_like_slugs():
    assert url_for("newsroom:department-detail", slug="2024") == "/2024/"
    assert url_for("newsroom:article-detail", pk=7) == "/articles/7/"


def test_each_script_prefix_has_its_own_pattern():
    set_script_prefix("/news/")
    try:
        assert url_for("newsroom:article-detail", pk=7) == "/news/articles/7/"
    finally:
        clear_script_prefix()
    assert url_for("newsroom:article-detail", pk=7) == "/articles/7/"


def test_values_are_escaped():
    assert url_for("newsroom:department-detail", slug="a b") == "/a%20b/"
