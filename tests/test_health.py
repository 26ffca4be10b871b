"""网站体检 and 链接检查 in the admin: per department, site admins side by side."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, ConfirmedDomain
from newsroom.services import health
from tests import linkserver
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DepartmentFactory,
    SuperuserFactory,
    member,
)

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:newsroom_sitehealth_changelist")
LINKS = reverse("admin:newsroom_link_changelist")


@pytest.fixture(autouse=True)
def link_settings(settings):
    settings.NEWSROOM_LINK_SITE_HOSTS = ["news.example.edu.cn"]
    settings.NEWSROOM_LINK_ALLOWED_DOMAINS = ["*.edu.cn", "*.gov.cn"]
    settings.NEWSROOM_LINK_TIMEOUT = 0.5
    settings.NEWSROOM_STALE_DAYS = 180


@pytest.fixture
def server():
    servers, _counter = linkserver.start()
    yield f"http://127.0.0.1:{servers[0].server_address[1]}"
    linkserver.stop(servers)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def info(now):
    department = DepartmentFactory(name="信息学院", slug="info")
    fresh = CategoryFactory(department=department, name="最新动态", order=1)
    stale = CategoryFactory(department=department, name="学术交流", order=2)
    CategoryFactory(department=department, name="空栏目", order=3)
    ArticleFactory(category=fresh, publish_at=now - timedelta(days=2))
    ArticleFactory(category=stale, publish_at=now - timedelta(days=200))
    return department


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_columns_are_flagged_stale_or_empty(info, now):
    """A column with nothing for NEWSROOM_STALE_DAYS is stale; one with nothing is empty."""
    columns = {c.column.name: c for c in health.department_health(info, now=now).columns}
    assert not columns["最新动态"].stale and not columns["最新动态"].empty
    assert columns["学术交流"].stale
    assert columns["空栏目"].empty


def test_an_ended_notice_does_not_keep_a_column_fresh(info, now):
    """Only what the public sees counts as the column's last publish."""
    column = CategoryFactory(department=info, name="公示公告")
    ArticleFactory(
        category=column,
        publish_at=now - timedelta(days=3),
        display_until=now - timedelta(days=1),
    )
    columns = {c.column.name: c for c in health.department_health(info, now=now).columns}
    assert columns["公示公告"].empty


def test_old_reviews_idle_staff_and_expiring_notices(info, now):
    """Pending over 3 days, members idle 180 days, 公示 ending within 7 days are listed."""
    column = info.categories.first()
    old = ArticleFactory(
        category=column, status=Article.Status.PENDING, submitted_at=now - timedelta(days=4)
    )
    ArticleFactory(
        category=column, status=Article.Status.PENDING, submitted_at=now - timedelta(days=1)
    )
    idle = member(info, "editor", username="idle", last_login=now - timedelta(days=200))
    member(info, "editor", username="active", last_login=now - timedelta(days=3))
    never = member(info, "editor", username="never")
    never.date_joined = now - timedelta(days=365)
    never.save()
    soon = ArticleFactory(category=column, display_until=now + timedelta(days=6))
    ArticleFactory(category=column, display_until=now + timedelta(days=30))
    report = health.department_health(info, now=now)
    assert report.old_pending == [old]
    assert {u.username for u in report.idle_staff} == {"idle", "never"}
    assert idle in report.idle_staff
    assert report.expiring == [soon]


def test_published_per_month_covers_twelve_months(info, now):
    """Twelve months, oldest first, zero where nothing was published."""
    ArticleFactory(category=info.categories.first(), publish_at=now - timedelta(days=400))
    months = health.department_health(info, now=now).per_month
    assert len(months) == 12
    assert months[-1][0] == timezone.localtime(now).date().replace(day=1)
    assert sum(count for _month, count in months) == 2  # the 400-day-old one is out
    assert months[-1][1] + months[-2][1] == 1


def test_dashboard_for_a_reviewer_shows_their_department(info, now):
    """A reviewer's 网站体检: their department's panel, a chart in SVG, no script."""
    other = DepartmentFactory(name="外国语学院", slug="lang")
    reviewer = member(info, "reviewer", username="li")
    page = login(reviewer).get(DASHBOARD)
    assert page.status_code == 200
    text = page.text
    assert "信息学院" in text and "外国语学院" not in text
    assert "空栏目" in text and "180" in text
    svg = re.search(r"<svg class=\"health-chart\".*?</svg>", text, re.S).group()
    assert svg.count("<rect") == 12
    assert "<script" not in text.split('<div class="health-grid">')[1]
    assert other.pk


def test_site_admins_see_every_department_side_by_side(info):
    """A superuser gets one panel per department."""
    DepartmentFactory(name="外国语学院", slug="lang")
    text = login(SuperuserFactory()).get(DASHBOARD).text
    assert 'id="health-info"' in text and 'id="health-lang"' in text


def test_editors_do_not_get_the_dashboard(info):
    """The dashboard is for reviewers and site admins."""
    editor = member(info, "editor", username="zhang")
    assert login(editor).get(DASHBOARD).status_code == 403


def check_links():
    call_command("check_links", stdout=io.StringIO(), stderr=io.StringIO())


def test_link_report_lists_broken_links_with_their_articles(info, server):
    """链接检查: the department's broken links and the articles holding them, with filters."""
    column = info.categories.first()
    article = ArticleFactory(
        category=column,
        title="含失效链接的文章",
        body=f'<p><a href="{server}/missing">失效</a><a href="{server}/ok">正常</a></p>',
    )
    foreign = ArticleFactory(title="别的学院", body=f'<p><a href="{server}/gone">x</a></p>')
    check_links()
    client = login(member(info, "reviewer", username="li"))
    text = client.get(LINKS).text
    assert f"{server}/missing" in text and "含失效链接的文章" in text
    assert f"{server}/gone" not in text and foreign.title not in text
    broken = client.get(LINKS, {"status__exact": "broken"}).text
    assert f"{server}/missing" in broken and f'"{server}/ok"' not in broken
    outside = client.get(LINKS, {"where": "outside"}).text
    assert f"{server}/ok" in outside
    assert client.get(LINKS, {"where": "internal"}).text.count(server) == 0
    article.body = f'<p><a href="{server}/ok">正常</a></p>'
    article.save()
    check_links()
    assert f"{server}/missing" not in client.get(LINKS).text


def test_outside_domains_page_shows_confirmation(info, no_dns):
    """外链 per department: not confirmed until a reviewer confirms the domain."""
    ArticleFactory(
        category=info.categories.first(), body='<p><a href="https://www.example.invalid/">x</a></p>'
    )
    check_links()
    reviewer = member(info, "reviewer", username="li")
    client = login(reviewer)
    url = reverse("admin:newsroom_link_outside_domains")
    text = client.get(url).text
    assert "www.example.invalid" in text and "未确认" in text
    ConfirmedDomain.objects.create(
        department=info, domain="www.example.invalid", confirmed_by=reviewer
    )
    text = client.get(url).text
    assert "未确认" not in text and "li" in text
