"""The weekly health digest mailed to each department's reviewers."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from newsroom.models import Article, Link, LinkOccurrence
from tests.factories import ArticleFactory, CategoryFactory, DepartmentFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def digest_settings(settings):
    settings.NEWSROOM_SITE_URL = "https://news.example.edu.cn"
    settings.NEWSROOM_LINK_SITE_HOSTS = ["news.example.edu.cn"]
    settings.NEWSROOM_LINK_ALLOWED_DOMAINS = ["*.edu.cn", "*.gov.cn"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def send():
    out = io.StringIO()
    call_command("send_health_digest", stdout=out)
    return out.getvalue()


def broken(url, article, *, days_ago=1, host=""):
    when = timezone.now() - timedelta(days=days_ago)
    link = Link.objects.create(
        url=url,
        host=host,
        status=Link.Status.BROKEN,
        reason="404",
        first_broken_at=when,
        last_checked_at=timezone.now(),
    )
    LinkOccurrence.objects.create(link=link, article=article)
    return link


def test_reviewers_get_everything_worth_telling():
    """New broken links, 外链 to confirm, stale columns, expiring 公示, old reviews."""
    now = timezone.now()
    department = DepartmentFactory(name="信息学院", slug="info")
    column = CategoryFactory(department=department, name="最新动态")
    CategoryFactory(department=department, name="空栏目")
    article = ArticleFactory(category=column, publish_at=now - timedelta(days=1))
    broken("https://www.example.com/gone", article, host="www.example.com")
    broken("https://old.example.edu.cn/x", article, days_ago=30, host="old.example.edu.cn")
    ArticleFactory(category=column, title="奖学金公示", display_until=now + timedelta(days=2))
    ArticleFactory(
        category=column,
        title="久等的稿件",
        status=Article.Status.PENDING,
        submitted_at=now - timedelta(days=5),
    )
    reviewer = member(department, "reviewer", username="li", email="li@example.edu.cn")
    member(department, "editor", username="zhang", email="zhang@example.edu.cn")
    member(department, "reviewer", username="nomail", email="")
    assert "1 department" in send()
    (message,) = mail.outbox
    assert message.to == [reviewer.email]
    assert "信息学院" in message.subject
    body = message.body
    assert "https://www.example.com/gone" in body
    assert "old.example.edu.cn/x" not in body  # broken for a month: not new
    assert "www.example.com" in body.split("外链")[1]
    assert "空栏目" in body
    assert "奖学金公示" in body and "久等的稿件" in body
    assert "https://news.example.edu.cn/admin/newsroom/sitehealth/" in body


def test_a_department_with_nothing_to_report_gets_no_mail():
    """No news is no mail."""
    department = DepartmentFactory()
    ArticleFactory(category=CategoryFactory(department=department))
    member(department, "reviewer", username="li", email="li@example.edu.cn")
    assert "0 department" in send()
    assert mail.outbox == []
