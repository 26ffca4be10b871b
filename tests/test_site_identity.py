"""Site identity, 一键变灰 and the department's language (models/org.py, services/identity.py)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from newsroom.core import renditions
from newsroom.models import Department, FriendlyLink, GreyMode, SiteSettings
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DepartmentFactory,
    ImageFactory,
    SuperuserFactory,
    image_bytes,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def column():
    return CategoryFactory(slug="news", department__slug="info", department__name="信息学院")


@pytest.fixture
def site_settings():
    site = SiteSettings(
        site_name="某某大学新闻网",
        university_name="某某大学",
        university_url="https://www.example.edu.cn/",
        icp_number="京ICP备12345678号-1",
        psb_number="京公网安备 11010802012345号",
        psb_url="https://beian.mps.gov.cn/#/query/webSearch?code=11010802012345",
        copyright="版权所有 © 某某大学",
        address="北京市海淀区学院路1号",
        postcode="100083",
        phone="010-12345678",
        email="news@example.edu.cn",
    )
    site.save()
    FriendlyLink.objects.create(site=site, name="教育部", url="http://www.moe.gov.cn/", order=2)
    FriendlyLink.objects.create(
        site=site, name="学校主页", url="https://www.example.edu.cn/", order=1
    )
    return site


def footer(html):
    return re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0)


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


# --- identity -------------------------------------------------------------------------------


def test_footer_shows_the_sites_identity_and_filing_numbers(client, column, site_settings):
    """版权所有, address, postcode, phone, e-mail, ordered 友情链接, ICP and 公安备案号 linked."""
    html = footer(page(client, column.department.get_absolute_url()))
    for text in ("版权所有 © 某某大学", "北京市海淀区学院路1号", "100083", "010-12345678"):
        assert text in html
    assert 'href="mailto:news@example.edu.cn"' in html
    assert html.index("学校主页") < html.index("教育部")  # in their order
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备12345678号-1</a>' in html
    assert "https://beian.mps.gov.cn/#/query/webSearch?code=11010802012345" in html
    # The filing line comes last, centred (the stylesheet centres .site-footer__filing).
    assert html.rindex("site-footer__filing") > html.rindex("site-footer__contact")


def test_every_page_type_has_the_filing_number(client, column, site_settings):
    """The ICP number is on the home, department, column, article, search and 404 pages."""
    article = ArticleFactory(category=column)
    DepartmentFactory()
    for url in (
        "/",
        column.department.get_absolute_url(),
        column.get_absolute_url(),
        article.get_absolute_url(),
        reverse("newsroom:search") + "?q=会议",
    ):
        assert "京ICP备12345678号-1" in page(client, url), url
    missing = client.get("/info/no-such-column/")
    assert missing.status_code == 404 and "京ICP备12345678号-1" in missing.content.decode()


def test_university_is_the_first_crumb(client, column, site_settings):
    """当前位置: 某某大学 > 部门首页 > 栏目 > 正文, the university linked to its homepage."""
    article = ArticleFactory(category=column)
    html = page(client, article.get_absolute_url())
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    names = re.findall(r">([^<>]+)</(?:a|span)>", crumbs)
    assert [n.strip() for n in names if n.strip() not in (">", "&gt;")] == [
        "当前位置:",
        "某某大学",
        "部门首页",
        column.name,
        "正文",
    ]
    assert 'href="https://www.example.edu.cn/"' in crumbs


def test_department_identity_overrides_the_site(client, column, site_settings):
    """A department's English name, address and links replace the site's; the rest falls back."""
    department = column.department
    department.english_name = "School of Information Science"
    department.address = "学院路1号信息楼"
    department.save()
    FriendlyLink.objects.create(
        department=department, name="实验中心", url="https://lab.example.edu.cn/"
    )
    html = page(client, department.get_absolute_url())
    header = re.search(r"<header.*?</header>", html, re.S).group(0)
    assert "信息学院" in header and 'lang="en">School of Information Science<' in header
    assert "学院路1号信息楼" in footer(html) and "北京市海淀区学院路1号" not in footer(html)
    assert "实验中心" in footer(html) and "教育部" not in footer(html)
    assert "010-12345678" in footer(html)  # the site's phone, as the department has none


def test_logo_and_banner_show_as_renditions(client, column, site_settings):
    """The header shows the logo and banner through their renditions (a PNG logo keeps alpha)."""
    from django.core.files.base import ContentFile

    from newsroom.services.identity import identity_renditions_ensure

    logo = ImageFactory(file=ContentFile(image_bytes("PNG", size=(400, 200)), name="logo.png"))
    banner = ImageFactory(file=ContentFile(image_bytes(size=(2400, 300)), name="banner.jpg"))
    site_settings.logo, site_settings.banner = logo, banner
    site_settings.save()
    identity_renditions_ensure(site_settings)
    html = page(client, column.department.get_absolute_url())
    assert re.search(r'<img src="/media/renditions/[^"]+-logo-320\.png"', html)
    assert re.search(r'srcset="[^"]+-banner-960\.jpg 960w, [^"]+-banner-1920\.jpg 1920w"', html)
    sizes = renditions.sizes(logo, "logo")
    assert [(s.width, s.height) for s in sizes] == [(160, 80), (320, 160)]


def test_changes_show_at_once_through_the_page_cache(client, column, site_settings, settings):
    """Saving the site settings replaces every cached page."""
    settings.NEWSROOM_PAGE_CACHE = True
    url = column.department.get_absolute_url()
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    site_settings.icp_number = "沪ICP备87654321号"
    site_settings.save()
    response = client.get(url)
    assert response["X-Cache"] == "miss" and "沪ICP备87654321号" in response.content.decode()
    FriendlyLink.objects.create(site=site_settings, name="新链接", url="https://new.example.cn/")
    assert "新链接" in client.get(url).content.decode()


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def boss(client):
    client.force_login(SuperuserFactory(username="boss"))
    return client


def settings_form(**overrides):
    data = {
        "site_name": "某某大学新闻网",
        "university_name": "",
        "university_url": "",
        "english_name": "",
        "copyright": "",
        "address": "",
        "postcode": "",
        "phone": "",
        "email": "",
        "icp_number": "京ICP备1号",
        "psb_number": "",
        "psb_url": "",
        "grey_mode": "off",
        "grey_from_0": "",
        "grey_from_1": "",
        "grey_until_0": "",
        "grey_until_1": "",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_site_admin_edits_the_site_settings_with_an_uploaded_logo(boss, column):
    """A site admin sets the filing number and uploads a logo, checked like any image."""
    assert boss.get(reverse("admin:newsroom_sitesettings_changelist")).status_code == 302
    logo = SimpleUploadedFile("校徽.png", image_bytes("PNG", size=(300, 300)), "image/png")
    response = boss.post(
        reverse("admin:newsroom_sitesettings_add"), settings_form(logo_upload=logo)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    site = SiteSettings.objects.get()
    assert site.icp_number == "京ICP备1号" and site.logo is not None
    path = Path(django_settings.MEDIA_ROOT) / renditions.sizes(site.logo, "logo")[0].path
    assert path.is_file()
    assert boss.get(reverse("admin:newsroom_sitesettings_changelist"))["Location"].endswith(
        "/sitesettings/1/change/"
    )


def test_a_bad_logo_upload_is_a_form_error(boss):
    """A file that is not a picture is refused with the upload checks' message."""
    bad = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png")
    response = boss.post(reverse("admin:newsroom_sitesettings_add"), settings_form(logo_upload=bad))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo_upload"]
    assert not SiteSettings.objects.exists()


def test_scheduled_grey_mode_needs_both_times_in_order(boss):
    """Grey mode between two times needs a start before its end."""
    url = reverse("admin:newsroom_sitesettings_add")
    response = boss.post(url, settings_form(grey_mode="scheduled"))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    response = boss.post(
        url,
        settings_form(
            grey_mode="scheduled",
            grey_from_0="2026-12-13",
            grey_from_1="10:00:00",
            grey_until_0="2026-12-13",
            grey_until_1="09:00:00",
        ),
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors


def test_only_site_admins_set_identity_language_and_grey_mode(client, column):
    """Editors and reviewers neither see the site settings nor a department's identity fields."""
    reviewer = member(column.department, "reviewer", username="reviewer", is_staff=True)
    client.force_login(reviewer)
    assert client.get(reverse("admin:newsroom_sitesettings_changelist")).status_code == 403
    response = client.get(reverse("admin:newsroom_department_change", args=[column.department.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("language", "grey_mode", "logo", "banner", "copyright", "english_name"):
        assert name not in form.fields
    assert not any(
        getattr(inline.opts, "model", None) is FriendlyLink
        for inline in response.context["inline_admin_formsets"]
    )


# --- grey mode -------------------------------------------------------------------------------


def html_class(html):
    return re.search(r"<html[^>]*>", html).group(0)


def test_grey_mode_for_the_whole_site(client, column, site_settings):
    """Switched on, every page has <html class="grey">, with no inline style (the CSP holds)."""
    article = ArticleFactory(category=column)
    assert "grey" not in html_class(page(client, article.get_absolute_url()))
    site_settings.grey_mode = GreyMode.ON
    site_settings.save()
    for url in ("/", column.department.get_absolute_url(), article.get_absolute_url()):
        response = client.get(url, follow=True)
        html = response.content.decode()
        assert 'class="grey"' in html_class(html), url
        assert "style=" not in html_class(html)
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_grey_mode_for_one_department(client, column):
    """A department's grey mode leaves the other departments in colour."""
    other = CategoryFactory()
    department = column.department
    department.grey_mode = GreyMode.ON
    department.save()
    assert 'class="grey"' in html_class(page(client, department.get_absolute_url()))
    assert "grey" not in html_class(page(client, other.department.get_absolute_url()))


def test_scheduled_grey_mode_is_decided_at_request_time(client, column, monkeypatch, settings):
    """Between its two times the pages are grey, before and after not, cached pages included."""
    settings.NEWSROOM_PAGE_CACHE = True
    now = timezone.now()
    department = column.department
    department.grey_mode = GreyMode.SCHEDULED
    department.grey_from = now + timedelta(hours=1)
    department.grey_until = now + timedelta(hours=2)
    department.save()
    url = department.get_absolute_url()
    assert "grey" not in html_class(page(client, url))
    assert client.get(url)["X-Cache"] == "hit"
    real_now = timezone.now
    for offset, grey in ((timedelta(hours=1, minutes=1), True), (timedelta(hours=3), False)):
        monkeypatch.setattr(timezone, "now", lambda offset=offset: real_now() + offset)
        response = client.get(url)
        assert response["X-Cache"] == "miss", offset  # the boundary replaced the cached page
        assert ('class="grey"' in html_class(response.content.decode())) is grey


def test_stylesheet_has_the_grey_filter_and_the_opt_out():
    """The grey mode is a grayscale filter in the stylesheet; .no-grey opts out."""
    css = (
        Path(django_settings.BASE_DIR) / "newsroom" / "static" / "newsroom" / "css" / "site.css"
    ).read_text()
    assert "html.grey" in css and "grayscale(1)" in css
    assert ":not(.no-grey)" in css


# --- the department's language ------------------------------------------------------------


def test_pages_speak_the_departments_language_not_the_browsers(client, column):
    """A Chinese department reads Chinese to an English browser, an English one English."""
    article = ArticleFactory(category=column)
    html = page(client, article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "当前位置" in html and "You are here" not in html and 'lang="zh-hans"' in html
    english = CategoryFactory(department__language=Department.Language.ENGLISH)
    article = ArticleFactory(category=english)
    response = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    html = response.content.decode()
    assert "You are here:" in html and "Clicks:" in html and 'lang="en"' in html
    assert response["Content-Language"] == "en"
    assert "Accept-Language" not in response.get("Vary", "")


def test_404_of_an_english_department_is_english(client):
    """A missing page under an English department's address is an English 404."""
    DepartmentFactory(slug="english", language=Department.Language.ENGLISH)
    response = client.get("/english/no-such-column/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    response = client.get("/no-such-department/", HTTP_ACCEPT_LANGUAGE="en")
    assert "页面不存在" in response.content.decode() or "找不到" in response.content.decode()


def test_page_cache_key_ignores_accept_language(client, column, settings):
    """Two browsers with different languages share one cached page."""
    settings.NEWSROOM_PAGE_CACHE = True
    url = column.department.get_absolute_url()
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en")["X-Cache"] == "miss"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["X-Cache"] == "hit"
    assert "部门首页" in response.content.decode()


def test_admin_follows_the_browser(client):
    """The admin keeps following the staff member's browser language."""
    english = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'value="Log in"' in english and 'value="登录"' in chinese


def test_nginx_cache_key_has_no_accept_language():
    """The shipped nginx site keys its micro-cache without the browser's language."""
    deploy = Path(django_settings.BASE_DIR) / "deploy" / "nginx"
    locations = (deploy / "locations.conf").read_text()
    key = re.search(r"proxy_cache_key (.+);", locations).group(1)
    assert "accept_language" not in key and "lang" not in key
    assert "accept_language" not in (deploy / "newsroom.conf").read_text()
