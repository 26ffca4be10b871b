from django.contrib.sitemaps import Sitemap

from newsroom.models import Article, Category, Department


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    limit = 10_000  # pages of the sitemap index stay small and fast

    def items(self):
        return Article.objects.published().only("id", "updated_at").order_by("id")

    def lastmod(self, article):
        return article.updated_at


class DepartmentSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return Department.objects.all()


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Category.objects.select_related("department")


SITEMAPS = {
    "departments": DepartmentSitemap,
    "columns": CategorySitemap,
    "articles": ArticleSitemap,
}
