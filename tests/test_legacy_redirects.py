"""Old addresses answer 301 to their new home, and only where the answer was a 404."""

import pytest
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from newsroom.core.legacy_urls import legacy_key
from newsroom.models import LegacyRedirect
from tests.factories import ArticleFactory, CategoryFactory, SuperuserFactory

MIDDLEWARE = "newsroom.middleware.LegacyRedirectMiddleware"


@pytest.mark.parametrize(
    "path, query, key",
    [
        ("/info/1021/3456.htm", "", "news:3456"),
        ("/site/info/1021/3456.html", "", "news:3456"),
        ("/content.jsp", "urltype=news.NewsContentUrl&wbtreeid=1021&wbnewsid=3456", "news:3456"),
        ("/show.jsp", "wbnewsid=3456&urltype=news.NewsContentUrl&wbtreeid=1021", "news:3456"),
        ("/2022/show.jsp", "wbtreeid=1021&wbnewsid=3456", "news:3456"),
        ("/xdetails.jsp", "WBNEWSID=3456", "news:3456"),
        ("/xwdt.htm", "", "list:xwdt"),
        ("/xwdt/2.htm", "", "list:xwdt"),
        ("/xwdt/1.htm", "", "list:xwdt"),
        ("/xwdt/tzgg/bkjx.htm", "", "list:xwdt/tzgg/bkjx"),
        ("/xwdt/tzgg/bkjx/77.htm", "", "list:xwdt/tzgg/bkjx"),
        ("/list.jsp", "urltype=tree.TreeTempUrl&wbtreeid=1021", "tree:1021"),
        ("/lm_list.jsp", "PAGENUM=3&wbtreeid=1021", "tree:1021"),
        (
            "/system/_content/download.jsp",
            "urltype=news.DownloadAttachUrl&owner=1&wbfileid=9A8B7C",
            "file:9a8b7c",
        ),
        ("/system/_content/download.jsp", "wbfileid=9a8b7c&owner=1", "file:9a8b7c"),
        ("/2024/1220/c1234a56789/page.htm", "", "wp:news:56789"),
        ("/2024/1220/c1234a56789/page.psp", "", "wp:news:56789"),
        ("/xwdt/list.htm", "", "wp:list:xwdt"),
        ("/xwdt/list3.htm", "", "wp:list:xwdt"),
        ("/_upload/article/files/ab/cd/ef/x.pdf", "", "file:/_upload/article/files/ab/cd/ef/x.pdf"),
        ("/old.php", "b=2&a=1", "url:/old.php?a=1&b=2"),
    ],
)
def test_every_spelling_has_one_key(path, query, key):
    """Parameter order, template names and page numbers do not change the key."""
    assert legacy_key(path, query) == key


@pytest.fixture(autouse=True)
def old_domains(settings):
    """The old departments' domains now point at this site."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "cs.example.edu.cn", "other.example.edu.cn"]


@pytest.fixture
def imported(db):
    article = ArticleFactory()
    column = article.category
    for old_url, target in (
        ("/info/1021/3456.htm", {"article": article}),
        ("/xwdt.htm", {"category": column}),
        ("/2024/1220/c12a789/page.htm", {"article": article}),
        ("/xwdt/list.htm", {"category": column}),
    ):
        LegacyRedirect.objects.create(
            host="cs.example.edu.cn", old_url=old_url, department=column.department, **target
        )
    return article


@pytest.mark.parametrize(
    "url, target",
    [
        ("/info/1021/3456.htm", "article"),
        ("/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1021&wbnewsid=3456", "article"),
        ("/2022/show.jsp?wbnewsid=3456&wbtreeid=1021", "article"),
        ("/xwdt.htm", "column"),
        ("/xwdt/5.htm", "column"),
        ("/2024/1220/c12a789/page.htm", "article"),
        ("/xwdt/list2.htm", "column"),
    ],
)
def test_old_addresses_redirect_permanently(client, imported, url, target):
    """Each old spelling answers 301 to the article or the column."""
    response = client.get(url, HTTP_HOST="cs.example.edu.cn")
    assert response.status_code == 301
    expected = imported if target == "article" else imported.category
    assert response["Location"] == expected.get_absolute_url()


def test_redirects_belong_to_their_old_host(client, imported):
    """Another department's old domain with the same old id is not sent to this article."""
    response = client.get("/info/1021/3456.htm", HTTP_HOST="other.example.edu.cn")
    assert response.status_code == 404


def test_unknown_old_address_stays_404(client, imported):
    assert client.get("/info/1021/9999.htm", HTTP_HOST="cs.example.edu.cn").status_code == 404


def test_post_is_not_redirected(client, imported):
    """Only GET and HEAD are answered with a redirect."""
    assert client.post("/info/1021/3456.htm", HTTP_HOST="cs.example.edu.cn").status_code in (
        403,
        404,
        405,
    )


def test_entry_without_host_matches_any_host(client, db):
    """An admin's entry with no host, to any address, works on every domain."""
    column = CategoryFactory()
    LegacyRedirect.objects.create(old_url="/about/intro.htm", target_url="/search/?q=简介")
    LegacyRedirect.objects.create(old_url="/index.htm", department=column.department)
    response = client.get("/about/intro.htm")
    assert response.status_code == 301
    assert response["Location"] == iri_to_uri("/search/?q=简介")
    assert client.get("/index.htm")["Location"] == column.department.get_absolute_url()


def test_normal_pages_run_no_extra_query(client, imported, settings, django_assert_num_queries):
    """A page that exists pays nothing for the redirect table: same queries without it."""
    url = imported.get_absolute_url()
    client.get(url)  # warm the site map and caches
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    with django_assert_num_queries(len(without.captured_queries)):
        assert client.get(url).status_code == 200


def test_admin_adds_a_redirect_by_hand(client, db):
    """The redirect table is in the admin; an entry added there answers at once."""
    admin = SuperuserFactory()
    client.force_login(admin)
    column = CategoryFactory()
    response = client.post(
        reverse("admin:newsroom_legacyredirect_add"),
        {"old_url": "/info/1/2.htm", "host": "", "category": column.pk, "target_url": ""},
    )
    assert response.status_code == 302
    redirect = LegacyRedirect.objects.get()
    assert redirect.key == "news:2"
    # The same address again is a form error, not a crash.
    response = client.post(
        reverse("admin:newsroom_legacyredirect_add"),
        {"old_url": "/content.jsp?wbnewsid=2", "host": "", "category": column.pk},
    )
    assert response.status_code == 200
    assert (
        "already has a redirect" in response.content.decode()
        or response.context["adminform"].form.errors
    )
    client.logout()
    assert client.get("/info/1/2.htm")["Location"] == column.get_absolute_url()
    assert client.get(reverse("admin:newsroom_legacyredirect_changelist")).status_code == 302


def test_admin_requires_a_target(client, db):
    admin = SuperuserFactory()
    client.force_login(admin)
    response = client.post(reverse("admin:newsroom_legacyredirect_add"), {"old_url": "/x.htm"})
    assert response.status_code == 200
    assert not LegacyRedirect.objects.exists()


def test_nul_and_overlong_addresses_stay_404(client, imported):
    """A NUL character or a huge address is a plain 404, not a database error."""
    assert client.get("/info/1021/%00.htm").status_code == 404
    assert client.get("/x.jsp?wbnewsid=%00").status_code == 404
    assert client.get("/" + "a" * 2000 + ".htm").status_code == 404
