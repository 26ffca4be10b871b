import io

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from newsroom.models import Article, Category, Department, Image


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu.cn")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(StaffFactory):
    is_superuser = True


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"计算机学院{n}")
    slug = factory.Sequence(lambda n: f"dept{n}")
    order = factory.Sequence(int)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"最新动态{n}")
    slug = factory.Sequence(lambda n: f"col{n}")
    order = factory.Sequence(int)


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="photo.jpg"))
    alt_text = "校园照片"
    original_name = "photo.jpg"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article whose publish time has come."""

    class Meta:
        model = Article

    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"新学期教学工作会议第{n}次召开")
    summary = "学院召开新学期教学工作会议，部署本学期重点工作。"
    body = "<p>为做好新学期各项教学工作，学院召开教学工作会议。</p>"
    author = "张老师"
    source = "学院办公室"
    status = Article.Status.PUBLISHED
    publish_at = factory.Sequence(lambda n: timezone.now() - timezone.timedelta(days=1, minutes=n))


def member(department, role, username=None, **extra):
    """A staff user with a role in a department, in the groups that role needs."""
    from newsroom.services.roles import membership_grant

    user = UserFactory(username=username or f"{role}-{department.slug}", **extra)
    membership_grant(user=user, department=department, role=role)
    user.refresh_from_db()
    return user


# The article form's attachments inline, empty.
ATTACHMENT_FORMSET = {
    "attachments-TOTAL_FORMS": "0",
    "attachments-INITIAL_FORMS": "0",
    "attachments-MIN_NUM_FORMS": "0",
    "attachments-MAX_NUM_FORMS": "1000",
}


def article_change_data(article, **overrides):
    """The admin change form's POST data for an article as it is, with ``overrides``."""
    local = timezone.localtime(article.publish_at)
    data = {
        "category": article.category_id,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "author": article.author,
        "source": article.source,
        "photographer": "",
        "responsible_editor": "",
        "publish_at_0": local.strftime("%Y-%m-%d"),
        "publish_at_1": local.strftime("%H:%M:%S"),
        "pinned_until_0": "",
        "pinned_until_1": "",
        "base_version": article.version,
        **ATTACHMENT_FORMSET,
    }
    data.update(overrides)
    return data


def seen_now(article):
    """What a reviewer opening ``article`` now reads (the version an approval names)."""
    from newsroom.services.moderation import review_seen

    return review_seen(Article.objects.get(pk=article.pk))


def moderation_fields(article):
    """The version fields an approve or reject form carries for ``article`` as it is now."""
    seen = seen_now(article)
    return {"version": seen.version, "revision": "" if seen.revision is None else seen.revision}


def listed_seen(client, url):
    """The ``seen`` fields of a changelist page as the browser would post them back."""
    import re

    page = client.get(url)
    assert page.status_code == 200
    return re.findall(r'<input type="hidden" name="seen" value="([0-9:]+)">', page.text)


def attach_pdf(article, *, marker=b"", name="附件.pdf"):
    """A small PDF attached to the article through the upload rules (private storage)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from newsroom.services.attachments import attachment_create

    data = b"%PDF-1.4\n" + marker + b"\n%%EOF\n"
    return attachment_create(
        article=article,
        uploaded_file=SimpleUploadedFile(name, data, content_type="application/pdf"),
        user=None,
    )
