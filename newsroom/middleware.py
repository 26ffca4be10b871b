from django.conf import settings
from django.http import HttpResponseNotAllowed, HttpResponsePermanentRedirect

from newsroom.legacy_urls import legacy_key
from newsroom.models import LegacyRedirect


class ContentSecurityPolicyMiddleware:
    """
    A strict Content-Security-Policy on the public site: every script comes from
    the site's own static files and none is inline, so an injected <script>
    would not run even if it got past the body cleaner.

    The admin is left out: CKEditor 5 sets inline styles and needs its own rules.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.NEWSROOM_CSP and not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.NEWSROOM_CSP)
        return response


class RefuseTraceMiddleware:
    """
    TRACE (and CONNECT) are never answered with a page: some views accept any
    method, and a cached page must not echo back to a TRACE. Refused here,
    before anything else runs, for every URL.
    """

    REFUSED = frozenset({"TRACE", "CONNECT"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.REFUSED:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        return self.get_response(request)


class LegacyRedirectMiddleware:
    """
    Old addresses of an imported site (``/info/1021/3456.htm``, ``content.jsp?…``,
    ``xwdt/2.htm``, ``download.jsp?…wbfileid=…``, WebPlus ``c12a345/page.htm``…)
    answer 301 to their new home, from the redirect table.

    It looks only at responses that are already a 404, so a page that exists
    costs nothing: no key is computed and no query is run.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        host = request.get_host().rsplit(":", 1)[0].lower() if request.get_host() else ""
        key = legacy_key(request.path, request.META.get("QUERY_STRING", ""))
        if "\x00" in key or len(key) > 500:
            return response  # no stored key has these (and PostgreSQL refuses a NUL)
        found = (
            LegacyRedirect.objects.filter(key=key, host__in=(host, ""))
            .select_related("article", "category__department", "attachment", "department")
            .order_by("-host")
            .first()
        )
        if found is None:
            return response
        return HttpResponsePermanentRedirect(found.destination())
