import io
import re
import statistics
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from newsroom.core.html import clean_body
from newsroom.models import Article, Category, Department, Image

pytestmark = pytest.mark.django_db

INFO_COLUMNS = {"news", "notices", "academic", "teaching", "students"}


def run_seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def empty():
    from newsroom.models import FriendlyLink, SiteSettings

    FriendlyLink.objects.all().delete()
    SiteSettings.objects.all().delete()
    Article.objects.all().delete()
    Category.objects.all().delete()
    Department.objects.all().delete()
    Image.objects.all().delete()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content, seeded once for the module (its tests only read it, or
    change it inside their own rolled-back transaction), removed afterwards."""
    folder = tmp_path_factory.mktemp("seed_demo")
    with override_settings(
        MEDIA_ROOT=folder / "media",
        NEWSROOM_PRIVATE_ROOT=folder / "private",
        NEWSROOM_CONTENT_STAMP=str(folder / "content.stamp"),
    ):
        with django_db_blocker.unblock():
            output = run_seed_demo()
        yield output, folder / "media"
        with django_db_blocker.unblock():
            empty()


@pytest.fixture
def seeded(seeded_once, settings):
    output, media = seeded_once
    settings.MEDIA_ROOT = media
    settings.NEWSROOM_PRIVATE_ROOT = media.parent / "private"
    return output


def counts():
    return (
        Department.objects.count(),
        Category.objects.count(),
        Article.objects.count(),
        Image.objects.count(),
    )


def test_creates_departments_and_info_columns(seeded):
    """Two or more departments, and 信息科学与工程学院 has the five expected columns."""
    assert Department.objects.count() >= 2
    info = Department.objects.get(slug="info")
    assert info.name == "信息科学与工程学院"
    assert INFO_COLUMNS <= set(info.categories.values_list("slug", flat=True))
    assert Category.objects.filter(department__slug="foreign").count() in (2, 3)


def test_info_has_sixty_articles_spread_over_its_columns(seeded):
    """At least 60 articles in `info`, and every one of its columns has some."""
    info_articles = Article.objects.filter(category__department__slug="info")
    assert info_articles.count() >= 60
    for slug in INFO_COLUMNS:
        assert info_articles.filter(category__slug=slug).count() >= 5, slug


def test_second_department_has_articles(seeded):
    """The smaller department is not empty, so the home page has two to list."""
    assert Article.objects.filter(category__department__slug="foreign").count() >= 8


def test_titles_are_unique_and_fields_filled(seeded):
    """No title is used twice, and every article has a summary and a byline."""
    titles = list(Article.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles))
    assert not Article.objects.filter(summary="").exists()
    assert not Article.objects.filter(author="").exists()
    assert not Article.objects.filter(source="").exists()
    assert not Article.objects.filter(responsible_editor="").exists()


def test_pinned_articles_exist(seeded):
    """At least three visible articles are pinned now, one of them with a future end."""
    now = timezone.now()
    pinned = Article.objects.published(at=now).pinned(at=now)
    assert pinned.count() >= 3
    assert pinned.filter(pinned_until__gt=now).exists()


def test_scheduled_drafts_and_pending_exist(seeded):
    """Future-scheduled, draft and pending-review articles are all represented."""
    now = timezone.now()
    scheduled = Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
    assert scheduled.count() >= 3
    assert Article.objects.filter(status=Article.Status.DRAFT).count() >= 3
    assert Article.objects.filter(status=Article.Status.PENDING).count() >= 1


def test_most_articles_are_published(seeded):
    """Published articles are the large majority, as on a real site."""
    assert Article.objects.published().count() > Article.objects.count() * 0.75


def test_published_excludes_drafts_and_future_articles(seeded):
    """published() returns exactly the published articles whose time has come."""
    now = timezone.now()
    expected = {
        article.pk
        for article in Article.objects.all()
        if article.status == Article.Status.PUBLISHED and article.publish_at <= now
    }
    published = set(Article.objects.published(at=now).values_list("pk", flat=True))
    assert published == expected
    assert len(published) < Article.objects.count()
    assert not Article.objects.published(at=now).exclude(status=Article.Status.PUBLISHED)
    assert not Article.objects.published(at=now).filter(publish_at__gt=now)


def test_publish_times_span_about_eighteen_months(seeded):
    """Published dates are timezone-aware and spread over the past year and a half."""
    now = timezone.now()
    times = list(Article.objects.published(at=now).values_list("publish_at", flat=True))
    assert all(timezone.is_aware(moment) for moment in times)
    oldest = now - min(times)
    assert timezone.timedelta(days=365) < oldest < timezone.timedelta(days=560)


def test_click_counts_are_skewed(seeded):
    """Most visible articles have tens to hundreds of clicks, a few have thousands."""
    clicks = list(Article.objects.published().values_list("click_count", flat=True))
    assert 100 <= statistics.median(clicks) <= 800
    assert any(count >= 1000 for count in clicks)
    assert sum(count >= 1000 for count in clicks) < len(clicks) * 0.3
    unseen = Article.objects.exclude(pk__in=Article.objects.published())
    assert set(unseen.values_list("click_count", flat=True)) == {0}


def test_images_have_dimensions_and_files(seeded, settings):
    """Every picture of the articles has width and height and its JPEG file is in MEDIA_ROOT."""
    from newsroom.models import SiteSettings

    media_root = settings.MEDIA_ROOT
    site = SiteSettings.objects.get()
    images = list(Image.objects.exclude(pk__in=[site.logo_id, site.banner_id]))
    assert len(images) >= 10
    for image in images:
        assert image.width > 0 and image.height > 0
        assert image.alt_text
        path = Path(image.file.path)
        assert path.is_relative_to(media_root)
        assert path.is_file()
        assert path.stat().st_size == image.size
        assert path.read_bytes()[:3] == b"\xff\xd8\xff"


def test_about_a_third_of_articles_have_covers(seeded):
    """Covers are neither missing nor everywhere: roughly a third of articles."""
    total = Article.objects.count()
    with_cover = Article.objects.filter(cover__isnull=False).count()
    assert total * 0.2 <= with_cover <= total * 0.5


def test_bodies_have_paragraphs_and_some_inline_images(seeded):
    """Every body has <p> paragraphs; some have <img> pointing at stored images."""
    bodies = list(Article.objects.values_list("body", flat=True))
    assert all("<p>" in body for body in bodies)
    assert any("<h2>" in body for body in bodies)  # sections start at h2, under the h1 title
    assert any("<ul>" in body or "<ol>" in body for body in bodies)
    assert any('<figure class="table">' in body for body in bodies)
    with_images = [body for body in bodies if "<img" in body]
    assert len(with_images) >= 5
    urls = {image.url for image in Image.objects.all()}
    for body in with_images:
        for src in re.findall(r'<img src="([^"]+)"', body):
            assert src in urls


def test_bodies_are_stored_clean(seeded):
    """Bodies went through the cleaner: cleaning them again changes nothing."""
    for body in Article.objects.values_list("body", flat=True):
        assert clean_body(body) == body


def test_bodies_are_one_to_three_kilobytes(seeded):
    """Bodies are article-sized: about 1-3 KB of HTML."""
    sizes = [len(body.encode()) for body in Article.objects.values_list("body", flat=True)]
    assert 1000 <= statistics.median(sizes) <= 3000
    assert max(sizes) < 4000


def test_prints_a_summary(seeded):
    """The command reports what it created."""
    assert f"{Article.objects.count()} articles" in seeded
    assert f"{Image.objects.count()} images" in seeded
    assert f"{Department.objects.count()} departments" in seeded


def test_running_twice_changes_nothing(seeded):
    """A second run leaves every count as it was and says so."""
    before = counts()
    output = run_seed_demo()
    assert counts() == before
    assert "already loaded" in output


def test_output_is_deterministic():
    """Two runs on an empty database produce the same articles."""
    empty()
    run_seed_demo()
    first = list(Article.objects.order_by("pk").values_list("title", "summary", "publish_at"))
    empty()
    run_seed_demo()
    second = list(Article.objects.order_by("pk").values_list("title", "summary", "publish_at"))
    assert first == second


def test_most_read_box_is_filled(seeded):
    """Daily counts are seeded, so 热门文章 lists articles on a fresh site."""
    from newsroom.selectors import most_read

    info = Department.objects.get(slug="info")
    assert len(most_read(info)) == 10


def test_one_column_pages(seeded):
    """One column has 45 articles, more than two pages of 20."""
    column = Category.objects.get(department__slug="info", slug="news")
    assert column.articles.count() == 45


def test_several_articles_have_pdf_and_word_attachments(seeded):
    """Attachments made at seed time pass the upload checks and are stored privately."""
    from newsroom.models import Attachment

    attachments = list(Attachment.objects.select_related("article"))
    assert len({a.article_id for a in attachments}) >= 4
    kinds = {a.name.rsplit(".", 1)[-1] for a in attachments}
    assert kinds == {"pdf", "docx"}
    for attachment in attachments:
        assert Article.objects.published().filter(pk=attachment.article_id).exists()
        with attachment.file.open("rb") as stored:
            head = stored.read(5)
        assert head.startswith((b"%PDF-", b"PK\x03\x04"))
    assert Article.objects.filter(has_attachments=True).count() >= 4


def test_publish_times_are_whole_seconds(seeded):
    """Stored publish times carry no microseconds."""
    assert all(t.microsecond == 0 for t in Article.objects.values_list("publish_at", flat=True))


def test_site_identity_is_seeded(seeded):
    """The demo fills the site settings (logo, banner, filing number, links) and English names."""
    from newsroom.models import FriendlyLink, SiteSettings

    site = SiteSettings.objects.get()
    assert site.logo and site.banner and site.icp_number and site.university_name
    assert FriendlyLink.objects.filter(site=site).count() == 3
    assert Department.objects.get(slug="foreign").english_name == "School of Foreign Languages"
