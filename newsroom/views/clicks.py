"""
The click endpoint (see newsroom/services/clicks.py for the rules).

Pages carry the count rendered on the server; ``static/newsroom/js/clicks.js``
POSTs here and shows the true count. Without JavaScript, a ``<noscript>``
image requests the beacon instead, so every path counts exactly once.
"""

import base64

from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from newsroom.services import clicks

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

# What django.utils.cache.add_never_cache_headers() writes, as constants: it
# parses and rebuilds Cache-Control and formats the current time into Expires
# on every response, a cost the click endpoint's speed target notices
# (bench/RESULTS.md). A date in the past is as expired as now.
NEVER_CACHE_HEADERS = {
    "Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private",
    "Expires": "Thu, 01 Jan 1970 00:00:00 GMT",
}


def count_json(count: int, counted: bool) -> bytes:
    """The answer {"count": N, "counted": bool}, written out: two fields of
    known types need no JSON encoder (JsonResponse built one per click)."""
    return b'{"count": %d, "counted": %s}' % (count, b"true" if counted else b"false")


class ClickRecordingMixin:
    def visitor_ids(self, request, day=None) -> list[str]:
        """The signed cookie's visitor id; without one, a new id to set and, until
        the cookie comes back, the address and agent standing in for it (salted
        with ``day``, by default today)."""
        cookie_id = request.get_signed_cookie(
            clicks.VISITOR_COOKIE, default=None, salt=clicks.VISITOR_COOKIE_SALT
        )
        self.new_cookie = None
        if cookie_id:
            return [cookie_id]
        self.new_cookie = clicks.new_visitor_id()
        return [
            self.new_cookie,
            clicks.fallback_visitor_id(
                address=request.META.get("REMOTE_ADDR", ""),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                day=day,
            ),
        ]

    def record(self, request, pk):
        # One local date for the request, for the fallback id's salt and the
        # daily row: the current time zone is looked up once, not twice.
        day = timezone.localdate()
        counted, count = clicks.article_view_record(
            article_id=pk,
            visitor_ids=self.visitor_ids(request, day),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            day=day,
        )
        if count is None:
            raise Http404("No such article.")
        return counted, count

    def finish(self, response):
        for header, value in NEVER_CACHE_HEADERS.items():
            response[header] = value
        if self.new_cookie:
            response.set_signed_cookie(
                clicks.VISITOR_COOKIE,
                self.new_cookie,
                salt=clicks.VISITOR_COOKIE_SALT,
                max_age=clicks.VISITOR_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=self.request.is_secure(),
            )
        return response


@method_decorator(csrf_exempt, name="dispatch")
class ArticleClickView(ClickRecordingMixin, View):
    """POST: record a view from the page script; answers {"count": N, "counted": bool}."""

    http_method_names = ["post", "options"]

    def post(self, request, pk):
        # The endpoint is CSRF-exempt (cached pages carry no token), so refuse
        # requests that a browser marks as coming from another site. Read from
        # META: request.headers copies every header into a new mapping, and
        # nothing else on this path asks for it.
        site = request.META.get("HTTP_SEC_FETCH_SITE", "same-origin")
        if site not in {"same-origin", "none"}:
            return HttpResponseForbidden()
        counted, count = self.record(request, pk)
        return self.finish(
            HttpResponse(count_json(count, counted), content_type="application/json")
        )


class ArticleClickBeaconView(ClickRecordingMixin, View):
    """GET: the no-JavaScript fallback, an image that records the view."""

    def get(self, request, pk):
        self.record(request, pk)
        return self.finish(HttpResponse(PIXEL, content_type="image/gif"))

    def head(self, request, pk):
        # HEAD requests never count.
        self.new_cookie = None
        return self.finish(HttpResponse(PIXEL, content_type="image/gif"))
