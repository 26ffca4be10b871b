"""Every public page runs a fixed number of queries, whatever the archive size."""

from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.models import Article
from tests.factories import ArticleFactory, CategoryFactory, DepartmentFactory, ImageFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "home": 1,
    "department": 3,  # department, columns, every column's articles
    "column": 4,  # column with department, navigation, pinned, one page
    "column_deep": 4,
    "article": 3,  # article with column/department/cover, navigation, neighbours
}


def build_site(articles_per_column):
    department = DepartmentFactory(slug="info")
    DepartmentFactory(slug="foreign")
    cover = ImageFactory()
    columns = [CategoryFactory(department=department, slug=f"c{i}") for i in range(5)]
    now = timezone.now()
    rows = []
    for column in columns:
        for i in range(articles_per_column):
            rows.append(
                Article(
                    category=column,
                    title=f"{column.slug}-{i}",
                    status=Article.Status.PUBLISHED,
                    publish_at=now - timedelta(hours=i + 1),
                    cover=cover if i % 3 == 0 else None,
                    is_pinned=i in (5, 7),
                )
            )
    Article.objects.bulk_create(rows)
    return department, columns


@pytest.mark.parametrize("articles_per_column", [3, 60])
def test_public_page_query_counts(client, django_assert_num_queries, articles_per_column):
    """Home, department, column (first and deep page) and article pages have fixed query counts."""
    department, columns = build_site(articles_per_column)
    column = columns[2]
    article = Article.objects.filter(category=column).order_by("-publish_at")[1]
    urls = {
        "home": "/",
        "department": department.get_absolute_url(),
        "column": column.get_absolute_url(),
        "column_deep": column.get_absolute_url() + "?page=2",
        "article": article.get_absolute_url(),
    }
    for name, url in urls.items():
        if name == "column_deep" and articles_per_column < 30:
            continue
        with django_assert_num_queries(EXPECTED[name]):
            response = client.get(url)
        assert response.status_code == 200, name


def test_article_query_count_with_pinned_neighbours(client, django_assert_num_queries):
    """A pinned article's page costs the same three queries."""
    article = ArticleFactory(is_pinned=True, cover=ImageFactory())
    ArticleFactory.create_batch(3, category=article.category)
    with django_assert_num_queries(EXPECTED["article"]):
        assert client.get(article.get_absolute_url()).status_code == 200
