"""Department scoping of the cover images, the columns and the departments in the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from newsroom.models import Article, Image
from newsroom.services import moderation, revisions
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ImageFactory,
    SuperuserFactory,
    article_change_data,
    member,
)

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def site():
    own = CategoryFactory(slug="news", department__slug="info", department__name="信息学院")
    other = CategoryFactory(slug="notice", department__slug="law", department__name="法学院")
    editor = member(own.department, "editor", username="editor")
    outsider = member(other.department, "editor", username="outsider")
    return {
        "own": own,
        "other": other,
        "editor": editor,
        "reviewer": member(own.department, "reviewer", username="reviewer"),
        "own_image": ImageFactory(uploaded_by=editor, alt_text="本院图片"),
        "foreign_image": ImageFactory(uploaded_by=outsider, alt_text="外院图片"),
        "orphan_image": ImageFactory(uploaded_by=None, alt_text="演示图片"),
        "shared_image": ImageFactory(uploaded_by=None, alt_text="共享图库图片", is_shared=True),
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def draft(site):
    article = Article(category=site["own"], title="草稿", body="<p>正文</p>")
    revisions.article_save(article=article, user=site["editor"])
    return article


def post_cover(site, article, cover):
    return login(site["editor"]).post(
        reverse("admin:newsroom_article_change", args=[article.pk]),
        article_change_data(article, cover=cover),
    )


@pytest.mark.parametrize("which", ["foreign_image", "orphan_image"])
def test_crafted_cover_of_an_image_the_editor_may_not_use_is_a_form_error(site, which):
    """Another department's image or an unshared one cannot be saved as a cover."""
    article = draft(site)
    response = post_cover(site, article, site[which].pk)
    assert response.status_code == 200
    assert "cover" in response.context["adminform"].form.errors
    assert Article.objects.get(pk=article.pk).cover_id is None


@pytest.mark.parametrize("which", ["own_image", "shared_image"])
def test_cover_from_the_departments_images_or_the_shared_library_is_saved(site, which):
    """The editor's departments' images and the shared library are allowed."""
    article = draft(site)
    assert post_cover(site, article, site[which].pk).status_code == 302
    assert Article.objects.get(pk=article.pk).cover_id == site[which].pk


def test_cover_choices_and_autocomplete_offer_only_usable_images(site):
    """The form's queryset and the autocomplete list the same usable images."""
    article = draft(site)
    client = login(site["editor"])
    page = client.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    choices = set(page.context["adminform"].form.fields["cover"].queryset)
    assert choices == {site["own_image"], site["shared_image"]}
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "newsroom", "model_name": "article", "field_name": "cover", "term": ""},
    ).json()
    assert {int(row["id"]) for row in found["results"]} == {
        site["own_image"].pk,
        site["shared_image"].pk,
    }


def test_a_cover_chosen_by_a_site_admin_stays_valid_for_the_editor(site):
    """An existing cover the editor could not pick is kept when they save other changes."""
    article = draft(site)
    Article.objects.filter(pk=article.pk).update(cover=site["orphan_image"])
    article.refresh_from_db()
    assert post_cover(site, article, site["orphan_image"].pk).status_code == 302


def test_service_refuses_a_cover_the_user_may_not_use(site):
    """The rule holds below the form too: the save service refuses the image."""
    article = draft(site)
    article.cover = site["foreign_image"]
    with pytest.raises(moderation.NotPermitted):
        revisions.article_save(article=article, user=site["editor"])


def test_only_site_admins_change_the_shared_library(site):
    """Editors may view a shared image but not change it, nor mark an image shared."""
    client = login(site["editor"])
    shared = site["shared_image"]
    url = reverse("admin:newsroom_image_change", args=[shared.pk])
    response = client.post(url, {"alt_text": "改掉"})
    assert response.status_code == 403
    own = site["own_image"]
    client.post(
        reverse("admin:newsroom_image_change", args=[own.pk]),
        {"alt_text": "新说明", "is_shared": "on"},
    )
    own.refresh_from_db()
    assert own.alt_text == "新说明" and not own.is_shared
    assert Image.objects.usable_by(SuperuserFactory()).count() == 4


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_column_and_department_lists_are_scoped(site, role):
    """Editors and reviewers see only their departments' columns and departments."""
    client = login(site[role])
    columns = client.get(reverse("admin:newsroom_category_changelist"))
    assert list(columns.context["cl"].result_list) == [site["own"]]
    foreign = reverse("admin:newsroom_category_change", args=[site["other"].pk])
    assert client.get(foreign).status_code == 403
    departments = client.get(reverse("admin:newsroom_department_changelist"))
    assert list(departments.context["cl"].result_list) == [site["own"].department]


def test_site_admin_sees_every_column(site):
    """A superuser's column list is not narrowed."""
    columns = login(SuperuserFactory()).get(reverse("admin:newsroom_category_changelist"))
    assert set(columns.context["cl"].result_list) == {site["own"], site["other"]}


def test_published_article_cover_scoping_applies_to_pending_edits(site):
    """An edit of a live article cannot slip a foreign cover into the pending revision."""
    article = ArticleFactory(category=site["own"], status=S.PUBLISHED)
    response = post_cover(site, article, site["foreign_image"].pk)
    assert response.status_code == 200
    assert not article.revisions.exists()
