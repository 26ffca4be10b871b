"""新外链: an approval confirms the article's new outside domains, whichever path approves."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, ConfirmedDomain, ReviewConfirmation
from newsroom.services import moderation, revisions
from tests.factories import (
    CategoryFactory,
    listed_seen,
    member,
    moderation_fields,
    seen_now,
)

pytestmark = pytest.mark.django_db
S = Article.Status
OUTSIDE = '<p><a href="https://www.example.com/report">报告</a> <a href="https://www.moe.gov.cn/x">教育部</a></p>'


@pytest.fixture(autouse=True)
def link_settings(settings):
    settings.NEWSROOM_LINK_SITE_HOSTS = ["news.example.edu.cn"]
    settings.NEWSROOM_LINK_ALLOWED_DOMAINS = ["*.edu.cn", "*.gov.cn"]


@pytest.fixture
def site():
    column = CategoryFactory(slug="news", department__slug="info")
    return {
        "column": column,
        "editor": member(column.department, "editor", username="zhang-editor"),
        "reviewer": member(column.department, "reviewer", username="li-reviewer"),
    }


def pending(site, body=OUTSIDE, column=None):
    article = Article(category=column or site["column"], title="有外链的文章", body=body)
    revisions.article_save(article=article, user=site["editor"])
    moderation.article_submit(article=article, user=site["editor"])
    return Article.objects.get(pk=article.pk)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_approval_without_confirming_is_refused(site):
    """A new outside domain must be confirmed: nothing is published until it is."""
    article = pending(site)
    assert moderation.review_new_domains(article) == ["www.example.com"]
    with pytest.raises(moderation.UnconfirmedDomains, match="www.example.com"):
        moderation.article_approve(article=article, user=site["reviewer"], seen=seen_now(article))
    article.refresh_from_db()
    assert article.status == S.PENDING
    assert not ConfirmedDomain.objects.exists()


def test_confirmation_is_recorded_with_who_and_when(site):
    """The reviewer's confirmation is kept: domain, department, who, when, which article."""
    article = pending(site)
    moderation.article_approve(
        article=article,
        user=site["reviewer"],
        seen=seen_now(article),
        confirmed=["outside:www.example.com"],
    )
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    confirmed = ConfirmedDomain.objects.get()
    assert confirmed.domain == "www.example.com"
    assert confirmed.department == site["column"].department
    assert confirmed.confirmed_by == site["reviewer"] and confirmed.article == article
    assert timezone.now() - confirmed.confirmed_at < timedelta(minutes=1)
    # Recorded with the approval like the content-safety ticks.
    tick = ReviewConfirmation.objects.get(kind="outside_link")
    assert tick.transition.article == article and tick.user == site["reviewer"]
    assert tick.items == [{"key": "outside:www.example.com", "domain": "www.example.com"}]


def test_a_confirmed_domain_is_not_new_again_in_its_department_only(site):
    """The department's next article may link there; another department must confirm."""
    first = pending(site)
    moderation.article_approve(
        article=first,
        user=site["reviewer"],
        seen=seen_now(first),
        confirmed=["outside:www.example.com"],
    )
    second = pending(site)
    assert moderation.review_new_domains(second) == []
    moderation.article_approve(article=second, user=site["reviewer"], seen=seen_now(second))
    other_column = CategoryFactory()
    other = {
        "column": other_column,
        "editor": member(other_column.department, "editor", username="wang-editor"),
        "reviewer": member(other_column.department, "reviewer", username="zhao-reviewer"),
    }
    assert moderation.review_new_domains(pending(other)) == ["www.example.com"]


def test_scheduled_approval_and_transition_need_it_too(site):
    """A scheduled approval and transition(move="approve") pass the same check."""
    article = pending(site)
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(moderation.UnconfirmedDomains):
        moderation.article_approve(
            article=article, user=site["reviewer"], seen=seen_now(article), publish_at=later
        )
    with pytest.raises(moderation.UnconfirmedDomains):
        moderation.transition(
            article=article, user=site["reviewer"], move="approve", seen=seen_now(article)
        )


def test_a_live_article_s_edit_adding_an_outside_link_needs_it(site):
    """An edit of a published article that adds an outside domain waits for its confirmation."""
    article = pending(site, body="<p>没有外链</p>")
    moderation.article_approve(article=article, user=site["reviewer"], seen=seen_now(article))
    article.refresh_from_db()
    article.body = OUTSIDE
    revisions.article_save(article=article, user=site["editor"], base_version=article.version)
    article.refresh_from_db()
    assert moderation.review_new_domains(article) == ["www.example.com"]
    with pytest.raises(moderation.UnconfirmedDomains):
        moderation.article_approve(article=article, user=site["reviewer"], seen=seen_now(article))
    assert "example.com" not in Article.objects.get(pk=article.pk).body


def test_review_page_marks_new_domains_and_its_form_confirms_them(site):
    """The change page shows 新外链 with a box to tick; without the tick nothing is published."""
    article = pending(site)
    client = login(site["reviewer"])
    page = client.get(reverse("admin:newsroom_article_change", args=[article.pk])).text
    assert "新外链" in page
    assert 'name="confirm" value="outside:www.example.com" required' in page
    assert 'value="www.moe.gov.cn"' not in page
    url = reverse("admin:newsroom_article_moderate", args=[article.pk])
    data = {"move": "approve", **moderation_fields(article)}
    response = client.post(url, data, follow=True)
    assert "www.example.com" in response.text
    assert Article.objects.get(pk=article.pk).status == S.PENDING
    client.post(url, {**data, "confirm": "outside:www.example.com"})
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
    assert ConfirmedDomain.objects.filter(domain="www.example.com").exists()


def test_preview_review_form_offers_the_confirmation(site):
    """The preview page's approve form carries the same boxes."""
    article = pending(site)
    page = login(site["reviewer"]).get(reverse("newsroom:article-preview", args=[article.pk]))
    assert 'name="confirm" value="outside:www.example.com" required' in page.text


def test_queue_marks_new_domains_and_bulk_approval_refuses_them(site):
    """The queue shows the domain; a bulk approval leaves that article for its review page."""
    article = pending(site)
    plain = pending(site, body="<p>正文</p>")
    client = login(site["reviewer"])
    url = reverse("admin:newsroom_reviewitem_changelist")
    page = client.get(url).text
    assert '<span class="new-domain-badge">www.example.com</span>' in page
    seen = listed_seen(client, url)
    response = client.post(
        url,
        {"action": "approve_selected", "_selected_action": [article.pk, plain.pk], "seen": seen},
        follow=True,
    )
    assert "www.example.com" in response.text
    assert Article.objects.get(pk=article.pk).status == S.PENDING
    assert Article.objects.get(pk=plain.pk).status == S.PUBLISHED
