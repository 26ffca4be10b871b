"""
Public URLs of articles, columns and departments without ``reverse()`` per link.

A column page links every article twice, and ``reverse()`` walks the URL
patterns every time. The pattern is reversed once per URL name and
script prefix with stand-in arguments, then only formatted. ``reverse()``
stays the source of truth, so a change in ``newsroom/urls.py`` still applies.
"""

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, reverse


def _marker(index, numeric):
    # Values no real URL contains, accepted by the int and slug converters.
    return str(907_118_000_000 + index) if numeric else f"zqzmark{index}zqz"


@lru_cache(maxsize=64)
def _template(name, prefix, keys):
    stand_ins = {key: _marker(i, numeric) for i, (key, numeric) in enumerate(keys)}
    url = reverse(name, kwargs={key: stand_ins[key] for key, _ in keys})
    for key, value in stand_ins.items():
        url = url.replace(value, "{" + key + "}")
    return url


def url_for(name, **kwargs):
    numeric = {key: isinstance(value, int) for key, value in kwargs.items()}
    template = _template(name, get_script_prefix(), tuple(numeric.items()))
    for key, value in kwargs.items():
        if not numeric[key]:
            kwargs[key] = quote(str(value), safe="")
    return template.format_map(kwargs)
