import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.models import Article
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def column():
    return CategoryFactory(slug="news", department__slug="info", department__name="信息学院")


def test_department_rss_lists_published_articles_newest_first(client, column):
    """The RSS feed has published articles only, newest first, with Chinese intact."""
    now = timezone.now()
    ArticleFactory(category=column, title="旧闻", publish_at=now - timedelta(days=2))
    ArticleFactory(category=column, title="新闻", publish_at=now - timedelta(days=1))
    ArticleFactory(category=column, title="草稿", status=Article.Status.DRAFT)
    ArticleFactory(category=column, title="未来", publish_at=now + timedelta(days=1))
    ArticleFactory(title="别的部门")
    response = client.get("/feeds/info/rss.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "信息学院"
    assert [item.findtext("title") for item in channel.findall("item")] == ["新闻", "旧闻"]
    newest = Article.objects.get(title="新闻")
    assert channel.find("item").findtext("link").endswith(f"/articles/{newest.pk}/")


def test_column_atom_feed(client, column):
    """The column's Atom feed lists that column's articles."""
    ArticleFactory(category=column, title="本栏文章")
    ArticleFactory(
        category=CategoryFactory(department=column.department, slug="other"), title="别栏文章"
    )
    response = client.get("/feeds/info/news/atom.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["本栏文章"]


def test_unknown_feed_is_404(client, column):
    """Feeds of unknown departments or columns are a 404."""
    assert client.get("/feeds/nope/rss.xml").status_code == 404
    assert client.get("/feeds/info/nope/atom.xml").status_code == 404


def test_pages_link_their_feeds(client, column):
    """Department and column pages advertise their feeds."""
    ArticleFactory(category=column)
    home = client.get(column.department.get_absolute_url()).text
    assert 'type="application/rss+xml"' in home and "/feeds/info/rss.xml" in home
    listing = client.get(column.get_absolute_url()).text
    assert "/feeds/info/news/atom.xml" in listing


def test_sitemap_lists_published_articles_and_list_pages(client, column):
    """sitemap.xml indexes sections listing every published article and list page."""
    visible = ArticleFactory(category=column)
    hidden = ArticleFactory(category=column, status=Article.Status.DRAFT)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert b"sitemap-articles.xml" in index.content
    articles = client.get("/sitemap-articles.xml").text
    assert f"/articles/{visible.pk}/" in articles
    assert f"/articles/{hidden.pk}/" not in articles
    columns = client.get("/sitemap-columns.xml").text
    assert "/info/news/" in columns
    assert "/info/" in client.get("/sitemap-departments.xml").text


def test_robots_txt(client):
    """robots.txt keeps crawlers out of the admin and previews and names the sitemap."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Disallow: /admin/" in response.text
    assert "Disallow: /preview/" in response.text
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
