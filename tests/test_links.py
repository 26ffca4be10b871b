"""The link checker: finding links, checking them against a local server and the site."""

import csv
import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsroom.models import Article, Link, LinkOccurrence
from newsroom.services import links
from tests import linkserver
from tests.factories import ArticleFactory, CategoryFactory, attach_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def link_settings(settings):
    settings.NEWSROOM_LINK_SITE_HOSTS = ["news.example.edu.cn"]
    settings.NEWSROOM_LINK_ALLOWED_DOMAINS = ["*.edu.cn", "*.gov.cn"]
    settings.NEWSROOM_LINK_TIMEOUT = 0.5


@pytest.fixture(autouse=True)
def offline(no_dns):
    """Names under .invalid never reach a resolver."""


@pytest.fixture
def server():
    servers, counter = linkserver.start()
    yield f"http://127.0.0.1:{servers[0].server_address[1]}", counter
    linkserver.stop(servers)


def body(*urls, images=()):
    parts = [f'<p><a href="{url}">链接</a></p>' for url in urls]
    parts += [f'<p><img src="{url}" alt=""></p>' for url in images]
    return "".join(parts)


# --- finding links ----------------------------------------------------------------------


def test_body_links_finds_links_and_image_sources():
    """<a href> and <img src> are found; fragments, mailto: and javascript: are not checked."""
    html = body(
        "https://www.moe.gov.cn/a#part",
        "#top",
        "mailto:office@example.edu.cn",
        "tel:123",
        "/articles/3/",
        images=["/media/uploads/x.jpg"],
    )
    hosts = {"news.example.edu.cn"}
    targets = [links.normalize(raw, hosts=hosts) for raw, _kind in links.body_links(html)]
    keys = [t.key for t in targets if t is not None]
    assert keys == ["https://www.moe.gov.cn/a", "/articles/3/", "/media/uploads/x.jpg"]


def test_links_to_the_site_s_own_hosts_are_internal():
    """An absolute link to the site's own host is checked as a path of the site."""
    target = links.normalize("https://news.example.edu.cn/info/?x=1", hosts={"news.example.edu.cn"})
    assert target.internal and target.key == "/info/?x=1"


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("www.tsinghua.edu.cn", True),
        ("edu.cn", True),
        ("www.moe.gov.cn", True),
        ("news.example.edu.cn", True),
        ("example.com", False),
        ("fakeedu.cn", False),
        ("edu.cn.example.com", False),
    ],
)
def test_allowed_domains(host, allowed):
    """*.edu.cn and *.gov.cn and the site's hosts are allowed; the rest are 外链."""
    assert links.domain_allowed(host) is allowed


# --- this site's links ------------------------------------------------------------------


def test_internal_links_are_checked_against_the_site(settings):
    """Published articles, columns and files are found; drafts and unknown paths are not."""
    live = ArticleFactory()
    draft = ArticleFactory(status=Article.Status.DRAFT)
    ended = ArticleFactory(display_until=timezone.now() - timezone.timedelta(minutes=1))
    column = live.category
    assert links.check_internal(live.get_absolute_url()) == ""
    assert links.check_internal(column.get_absolute_url()) == ""
    assert links.check_internal(column.department.get_absolute_url()) == ""
    assert links.check_internal(draft.get_absolute_url()) == links.NOT_ON_SITE
    assert links.check_internal(ended.get_absolute_url()) == links.NOTICE_ENDED
    assert links.check_internal("/no/such/page/here/") == links.NOT_ON_SITE
    assert links.check_internal(f"/{column.department.slug}/nope/") == links.NOT_ON_SITE
    assert links.check_internal("/media/uploads/missing.jpg") == links.NOT_ON_SITE
    assert links.check_internal("/static/newsroom/css/site.css") == ""
    attachment = attach_pdf(live)
    assert links.check_internal(attachment.get_absolute_url()) == ""
    assert links.check_internal(attach_pdf(draft).get_absolute_url()) == links.NOT_ON_SITE


# --- outside links ----------------------------------------------------------------------


def test_checker_reports_status_codes_redirects_and_fallbacks(server):
    """404/410 are broken, redirects are followed, HEAD refused falls back to GET."""
    base, counter = server
    results = links.LinkChecker().run(
        [
            f"{base}/ok",
            f"{base}/missing",
            f"{base}/gone",
            f"{base}/redirect",
            f"{base}/redirect-missing",
            f"{base}/loop",
            f"{base}/no-head",
        ]
    )
    assert results == {
        f"{base}/ok": "",
        f"{base}/missing": "404",
        f"{base}/gone": "410",
        f"{base}/redirect": "",
        f"{base}/redirect-missing": "404",
        f"{base}/loop": "too many redirects",
        f"{base}/no-head": "",
    }


def test_slow_refused_and_unknown_hosts(server):
    """A page past the timeout, a refused port and an unknown host each get their reason."""
    base, _counter = server
    refused = f"http://127.0.0.1:{linkserver.refused_port()}/page"
    results = links.LinkChecker(timeout=0.3).run(
        [f"{base}/slow?s=2", refused, "http://nohost.invalid/page", f"{base}/ok"]
    )
    assert results == {
        f"{base}/slow?s=2": "timeout",
        refused: "refused",
        "http://nohost.invalid/page": "unknown host",
        f"{base}/ok": "",
    }


def test_a_dead_host_is_not_asked_again_in_the_same_run():
    """Every link to a refusing host gets its reason, after at most one attempt per slot."""
    port = linkserver.refused_port()
    urls = [f"http://127.0.0.1:{port}/page{n}" for n in range(40)]
    checker = links.LinkChecker()
    results = checker.run(urls)
    assert set(results.values()) == {"refused"}
    assert checker.stats.requests <= links.PER_HOST_CONCURRENCY


def test_a_host_whose_pages_time_out_is_skipped(server):
    """After two read timeouts a host's other links are not requested."""
    base, counter = server
    urls = [f"{base}/slow?s=1&n={n}" for n in range(10)]
    started = time.monotonic()
    checker = links.LinkChecker(timeout=0.2)
    results = checker.run(urls)
    assert set(results.values()) == {"timeout"}
    assert checker.stats.requests <= 2 * links.PER_HOST_CONCURRENCY
    assert time.monotonic() - started < 2


def test_concurrency_limits_hold_per_host_and_overall():
    """At most 2 requests at once per host and 16 in all, counted by the servers."""
    servers, counter = linkserver.start(count=12)
    try:
        urls = [
            f"http://127.0.0.1:{server.server_address[1]}/slow?s=0.05&n={n}"
            for server in servers
            for n in range(8)
        ]
        checker = links.LinkChecker(timeout=2)
        results = checker.run(urls)
    finally:
        linkserver.stop(servers)
    assert set(results.values()) == {""}
    assert counter.max_per_port == 2
    assert 2 < counter.max <= 16
    assert checker.stats.max_per_host <= 2 and checker.stats.max_in_flight <= 16


# --- the command and what is stored -----------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("check_links", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_broken_links_and_stores_results(server):
    """Each broken link on its own line (article id, URL, reason), then a summary."""
    base, _counter = server
    article = ArticleFactory(
        body=body(f"{base}/ok", f"{base}/missing", "/nowhere/at/all/", images=[f"{base}/gone"])
    )
    out, _err = run_command()
    lines = out.strip().splitlines()
    assert lines[:-1] == [
        f"{article.pk}\t/nowhere/at/all/\tnot found on this site",
        f"{article.pk}\t{base}/gone\t410",
        f"{article.pk}\t{base}/missing\t404",
    ]
    assert "4 links" in lines[-1] and "3 broken" in lines[-1] and "127.0.0.1" in lines[-1]
    missing = Link.objects.get(url=f"{base}/missing")
    assert missing.status == Link.Status.BROKEN and missing.reason == "404"
    assert missing.first_broken_at is not None and missing.last_checked_at is not None
    assert Link.objects.get(url=f"{base}/ok").status == Link.Status.OK
    image = LinkOccurrence.objects.get(link__url=f"{base}/gone")
    assert image.article == article and image.kind == LinkOccurrence.Kind.IMAGE


def test_first_broken_time_is_kept_and_a_fixed_link_leaves(server):
    """A link broken again keeps when it was first found broken; a fixed one drops out."""
    base, _counter = server
    article = ArticleFactory(body=body(f"{base}/missing", f"{base}/ok"))
    run_command()
    first = Link.objects.get(url=f"{base}/missing").first_broken_at
    run_command()
    again = Link.objects.get(url=f"{base}/missing")
    assert again.first_broken_at == first and again.last_checked_at > first
    article.body = body(f"{base}/ok")
    article.save()
    run_command()
    assert not Link.objects.filter(url=f"{base}/missing").exists()
    assert Link.objects.broken().count() == 0


def test_csv_format_and_department_scope(server):
    """--format csv gives the same rows; --department checks only that department."""
    base, _counter = server
    mine = ArticleFactory(body=body(f"{base}/missing"), category=CategoryFactory())
    other = ArticleFactory(body=body(f"{base}/gone"))
    slug = mine.category.department.slug
    out, err = run_command("--department", slug, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["article_id", "url", "reason"], [str(mine.pk), f"{base}/missing", "404"]]
    assert "1 broken" in err
    assert not LinkOccurrence.objects.filter(article=other).exists()


def test_only_published_articles_are_checked(server):
    """Drafts and ended notices hold links nobody can follow: they are not checked."""
    base, _counter = server
    ArticleFactory(status=Article.Status.DRAFT, body=body(f"{base}/missing"))
    out, _err = run_command()
    assert "0 broken" in out


def test_unknown_department_is_a_clear_error():
    """A slug that names no department stops the command with a message."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No department"):
        run_command("--department", "nope")
