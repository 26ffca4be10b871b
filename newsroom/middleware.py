from django.conf import settings
from django.http import HttpResponseNotAllowed


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
