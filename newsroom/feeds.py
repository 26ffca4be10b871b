"""RSS and Atom feeds of the whole site, of a department and of a column
(django.contrib.syndication)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from newsroom.models import Article, Category, Department
from newsroom.services.identity import site_identity
from newsroom.urlcache import url_for

FEED_ITEMS = 20


class DepartmentFeed(Feed):
    def get_object(self, request, department_slug):
        department = Department.objects.cached(department_slug)
        if department is None:
            raise Http404("No such department.")
        translation.activate(department.language)  # the feed's language and texts
        return department

    def title(self, department):
        return department.name

    def link(self, department):
        return department.get_absolute_url()

    def description(self, department):
        return department.description or _("Latest articles of %(name)s") % {
            "name": department.name
        }

    def scope(self, department):
        """The condition on the published articles for this feed's items."""
        return {"category__department": department}

    def items(self, obj):
        return (
            Article.objects.published()
            .filter(**self.scope(obj))
            .select_related("category")
            .newest_first()[:FEED_ITEMS]
        )

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.summary or article.body

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.author or None

    def item_categories(self, article):
        return [article.category.name]


class DepartmentAtomFeed(DepartmentFeed):
    feed_type = Atom1Feed
    subtitle = DepartmentFeed.description


class CategoryFeed(DepartmentFeed):
    def get_object(self, request, department_slug, slug):
        column = Category.objects.cached(department_slug=department_slug, slug=slug)
        if column is None:
            raise Http404("No such column.")
        translation.activate(column.department.language)
        return column

    def title(self, column):
        return f"{column.name} - {column.department.name}"

    def link(self, column):
        return column.get_absolute_url()

    def description(self, column):
        return _("Latest articles of %(name)s") % {"name": self.title(column)}

    def scope(self, column):
        return {"category": column}


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed
    subtitle = CategoryFeed.description


class SiteFeed(DepartmentFeed):
    """Every department's newest articles together (the home page of a site
    with several departments links it)."""

    def get_object(self, request):
        return None

    def title(self, obj):
        return site_identity()[0].name

    def link(self, obj):
        return url_for("newsroom:home")

    def description(self, obj):
        return _("Latest articles of every department")

    def scope(self, obj):
        return {}

    def item_categories(self, article):
        return [article.category.department.name, article.category.name]

    def items(self, obj):
        return super().items(obj).select_related("category__department")


class SiteAtomFeed(SiteFeed):
    feed_type = Atom1Feed
    subtitle = SiteFeed.description
