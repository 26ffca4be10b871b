from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed, HttpResponsePermanentRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation

from newsroom.core.legacy_urls import legacy_key
from newsroom.models import LegacyRedirect
from newsroom.views.errors import page_not_found


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


class OwnNotFoundPageMiddleware:
    """
    The site's own 404 page under DEBUG too (``make run``), instead of Django's
    English debug page listing every URL pattern. Without DEBUG Django already
    uses it. ``NEWSROOM_DEBUG_404_PAGE=1`` brings the debug page back.

    Placed after CommonMiddleware, so that a missing slash still redirects.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def active():
        return settings.DEBUG and not settings.NEWSROOM_DEBUG_404_PAGE

    def __call__(self, request):
        if self.active():
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exception:
                return page_not_found(request, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and self.active():
            return page_not_found(request, exception)
        return None


# Pages for staff, which follow the staff member's browser; every other page
# speaks its department's language.
STAFF_PATH_PREFIXES = ("/admin/", "/editor/")


class DepartmentLanguageMiddleware(LocaleMiddleware):
    """
    The public pages speak the department's language (Department.language),
    not the visitor's browser: a request starts in the site's language
    (LANGUAGE_CODE), and the view switches to its department's before
    rendering. So neither the page cache's key nor nginx's depends on
    Accept-Language, and no public page varies on it. The admin keeps
    Django's negotiation (LocaleMiddleware).
    """

    @staticmethod
    def is_staff_path(request):
        return request.path_info.startswith(STAFF_PATH_PREFIXES)

    def process_request(self, request):
        if self.is_staff_path(request):
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return None

    def process_response(self, request, response):
        if self.is_staff_path(request):
            return super().process_response(request, response)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


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
        # Most 404s find nothing here, so the lookup reads the redirect row
        # alone: its target is read only for the few that do redirect.
        found = (
            LegacyRedirect.objects.filter(key=key, host__in=(host, "")).order_by("-host").first()
        )
        if found is None:
            return response
        return HttpResponsePermanentRedirect(found.destination())
