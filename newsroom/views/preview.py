from django.http import Http404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView

from newsroom.models import Article, Revision
from newsroom.services import moderation, revisions, safety
from newsroom.services.safety.mask import editing_copy

from .public import ArticlePageMixin


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(ArticlePageMixin, DetailView):
    """
    An article as the public would see it, for the staff who may edit it.

    Shows the edit waiting for review when there is one (or ``?revision=N``).
    Never counted as a click, never cached, and a 404 for everybody else.
    """

    def get_object(self, queryset=None):
        user = self.request.user
        article = (
            Article.objects.select_related("category__department", "cover")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if article is None or not user.is_authenticated or not user.is_staff:
            raise Http404
        if not moderation.can_edit(user, article):
            raise Http404
        number = self.request.GET.get("revision", "")
        if number.isdigit() and len(number) < 10:
            revision = Revision.objects.filter(article=article, number=int(number)).first()
        else:
            revision = moderation.pending_revision(article)
        self.review = self.review_forms(article, revision)
        if revision is not None:
            article = revisions.revision_preview(article=article, revision=revision)
        self.revision = revision
        self.department = article.category.department
        return article

    def review_forms(self, article, revision):
        """What the approve and reject buttons carry, for a reviewer looking at the
        version a decision would take (not at an older revision)."""
        awaiting = article.status == Article.Status.PENDING or (
            article.status == Article.Status.PUBLISHED
            and moderation.pending_revision(article) is not None
        )
        if not awaiting or not moderation.can_review(self.request.user, article):
            return None
        seen = moderation.review_seen(article)
        if revision is not None and revision.number != seen.revision:
            return None
        return {
            "seen": seen,
            "url": reverse("admin:newsroom_article_moderate", args=[article.pk]),
            "new_domains": moderation.review_new_domains(article),
            # The content-safety hits the approval needs ticked (as on the article's admin page).
            "safety_hits": safety.article_check(
                article=editing_copy(Article.objects.get(pk=article.pk))
            ).to_confirm,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = self.review
        context["preview"] = True
        context["preview_revision"] = self.revision
        return context
