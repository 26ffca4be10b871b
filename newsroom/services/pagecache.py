"""
The public page cache, and why it is never wrong.

Every cached page is stored under the current *content version*
(newsroom/core/content_version.py): any change a public page can show bumps
it, and so does the moment a scheduled article appears or a pin ends, so
every page is rebuilt on its next request, in every process at once.

Only anonymous GET/HEAD requests are served from the cache: a request with a
session cookie (staff) or a messages cookie never is, and responses that set
cookies or are not 200 are never stored.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from newsroom.core.content_version import current_version, one_version

# --- the page cache ---------------------------------------------------------------------


def cacheable_request(request) -> bool:
    return (
        settings.NEWSROOM_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def page_key(request, version) -> str:
    # Host and scheme too: pages carry absolute URLs (canonical links, feeds).
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    path = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"page:v{version}:{get_language()}:{path}"


def cached_page(view):
    """Serve a public page from the cache when it is safe to (see the module doc)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with one_version():
            response = serve(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                # Rendered here, so that what the templates read under the
                # version (the site's identity) shares the request's reading.
                response.render()
            return response

    def serve(request, *args, **kwargs):
        if not cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request, current_version())
        hit = cache.get(key)
        if hit is not None:
            content, content_type, etag, extra = hit
            response = HttpResponse(content, content_type=content_type)
            response["ETag"] = etag
            for name, value in extra:
                response[name] = value
            response["X-Cache"] = "hit"
            patch_cache_control(response, max_age=0, public=True)
            return response
        response = view(request, *args, **kwargs)

        def store(response):
            response["X-Cache"] = "miss"
            if response.status_code != 200 or response.cookies or response.streaming:
                return
            if "no-store" in response.get("Cache-Control", ""):
                return
            etag = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
            response["ETag"] = etag
            extra = [
                (h, response[h])
                for h in ("Last-Modified", "Content-Language")
                if response.has_header(h)
            ]
            cache.set(
                key,
                (response.content, response["Content-Type"], etag, extra),
                timeout=settings.NEWSROOM_PAGE_CACHE_SECONDS,
            )
            patch_cache_control(response, max_age=0, public=True)

        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapper
