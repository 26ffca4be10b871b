"""The admin never answers a 5xx: every filter, change form field and custom URL with bad values."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.urls.resolvers import URLPattern

from newsroom.models import Article, Attachment, Category, Department, Image
from newsroom.services import revisions
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ImageFactory,
    SuperuserFactory,
    article_change_data,
    member,
    moderation_fields,
)

pytestmark = pytest.mark.django_db

# Out of range, negative, not a number, huge, and the odd ones that reach a database.
BAD = [
    "-1",
    "abc",
    "99999999999999999999",
    "-99999999999999999999",
    "0001-01-01",
    "99999-12-31",
    "\x00",
]
# An object id in a URL: the date-like values of BAD take the same path as "abc" there.
BAD_IDS = ["-1", "abc", "99999999999999999999", "-99999999999999999999", "\x00"]
# The values tried on each field of every change form, by the kind of field: each value
# takes a path of its own through the field's parsing (not a number, no such row, past
# the database's integer, a character the database refuses; not a date, a date before
# any the database or the time zone takes).
BAD_FOR_NUMBERS = ["-1", "abc", "99999999999999999999", "\x00"]
BAD_FOR_DATES = ["abc", "0001-01-01", "\x00"]
DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField, forms.TimeField)
STANDARD_VIEWS = {"changelist", "add", "change", "delete", "history"}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """One set of departments, users and articles for the whole module: its tests only
    send requests, and what a request changes is rolled back with its test."""
    with django_db_blocker.unblock():
        built = _build_site()
    yield built
    with django_db_blocker.unblock():
        Article.objects.all().delete()
        Image.objects.all().delete()
        Category.objects.all().delete()
        Department.objects.all().delete()
        get_user_model().objects.all().delete()


def _build_site():
    column = CategoryFactory(slug="news", department__slug="info")
    editor = member(column.department, "editor", username="editor")
    reviewer = member(column.department, "reviewer", username="reviewer")
    image = ImageFactory(uploaded_by=editor)
    article = Article(category=column, title="待审文章", body="<p>正文</p>", cover=image)
    revisions.article_save(article=article, user=editor)
    live = ArticleFactory(category=column, status=Article.Status.PUBLISHED)
    live.title = "修改"
    revisions.article_save(article=live, user=editor, base_version=live.version)
    Attachment.objects.create(article=article, file="attachments/a.pdf", name="附件.pdf")
    article.status = Article.Status.PENDING
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PENDING)
    return {
        "article": article,
        "users": {
            "editor": editor,
            "reviewer": reviewer,
            "superuser": SuperuserFactory(username="siteadmin"),
        },
    }


def client_for(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def failures():
    """Every 5xx of a test, listed together at its end."""
    found = []
    yield found
    assert not found, f"{len(found)} server errors:\n" + "\n".join(found[:40])


def assert_no_5xx(response, what):
    if response.status_code >= 500:
        FOUND[-1].append(f"{response.status_code} for {what}")


FOUND = []


@pytest.fixture(autouse=True)
def collect(failures):
    FOUND.append(failures)
    yield
    FOUND.pop()


def model_admins():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def some_pk(model):
    obj = model._default_manager.order_by("pk").first()
    return obj.pk if obj is not None else None


class FormReader(HTMLParser):
    """The fields a browser would post from the form with ``form_id``."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append([name, attrs.get("value", "")])
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append([self.select, attrs.get("value", "")])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.data.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


RISKY_FIELDS = (
    forms.ModelChoiceField,
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.DateField,
    forms.DateTimeField,
    forms.SplitDateTimeField,
    forms.TimeField,
    forms.ChoiceField,
)


def risky_names(context):
    """[(name, bad values)] of the posted fields that hold ids, numbers, choices or dates."""
    bound = [("", context["adminform"].form)]
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        bound += [(f"{form.prefix}-", form) for form in formset.forms]
        bound.append(("", formset.management_form))
    names = []
    for prefix, form in bound:
        for name, field in form.fields.items():
            values = BAD_FOR_DATES if isinstance(field, DATE_FIELDS) else BAD_FOR_NUMBERS
            if isinstance(field, forms.MultiValueField):
                names += [(f"{prefix}{name}_{i}", values) for i in range(len(field.fields))]
            elif isinstance(field, RISKY_FIELDS) or name.endswith("FORMS"):
                names.append((f"{prefix}{name}", values))
    return names


@pytest.mark.parametrize("role", ["editor", "reviewer", "superuser"])
def test_every_changelist_filter_with_bad_values(site, role):
    """Every filter, the date drill-down, search, paging and ordering take any value."""
    client = client_for(site["users"][role])
    for model, model_admin in model_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page = client.get(url)
        assert_no_5xx(page, url)
        if page.status_code != 200 or "cl" not in page.context:
            continue  # refused, or a dashboard (网站体检) rather than a list
        params = {"q", "p", "o"}
        for spec in page.context["cl"].filter_specs:
            params.update(spec.expected_parameters())
        if model_admin.date_hierarchy:
            field = model_admin.date_hierarchy
            params.update({f"{field}__year", f"{field}__month", f"{field}__day"})
        for param in sorted(params):
            for value in BAD:
                assert_no_5xx(client.get(url, {param: value}), f"{role} {url}?{param}={value!r}")


@pytest.mark.parametrize("role", ["editor", "reviewer", "superuser"])
def test_every_change_form_id_and_date_field_with_bad_values(site, role):
    """Bad ids in the URL and bad values in each id, number and date field: no 5xx."""
    client = client_for(site["users"][role])
    for model, _model_admin in model_admins():
        info = (model._meta.app_label, model._meta.model_name)
        for view in ("change", "delete", "history"):
            for value in BAD_IDS:
                url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[value])
                assert_no_5xx(client.get(url), f"{role} GET {url!r}")
        pk = some_pk(model)
        if pk is None:
            continue
        url = reverse("admin:{}_{}_change".format(*info), args=[pk])
        page = client.get(url)
        assert_no_5xx(page, url)
        if page.status_code != 200 or "adminform" not in page.context:
            continue
        reader = FormReader(f"{info[1]}_form")
        reader.feed(page.text)
        data = dict(reader.data)
        for name, values in risky_names(page.context):
            for value in values:
                response = client.post(url, {**data, name: value})
                assert_no_5xx(response, f"{role} POST {url} {name}={value!r}")


def custom_urls(model_admin):
    for pattern in model_admin.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        if pattern.name.rsplit("_", 1)[-1] in STANDARD_VIEWS:
            continue
        yield pattern


def fill(pattern, pk, value):
    keys = pattern.pattern.converters.keys()
    return {key: pk if key == "object_id" else value for key in keys}


MODERATION_MOVES = ["approve", "reject", "submit", "take_down", "pin", "unpin", "bogus"]


def moves_for(pattern):
    """Every move for the moderation URL, the only view that reads ``move``; one for the
    others, which a different move would send down the same path."""
    return MODERATION_MOVES if pattern.name.endswith("_moderate") else MODERATION_MOVES[:1]


@pytest.mark.parametrize("role", ["editor", "reviewer", "superuser"])
def test_every_custom_admin_url_with_bad_values(site, role):
    """The moderation, revision, report and action URLs take any value without a 5xx."""
    client = client_for(site["users"][role])
    article = site["article"]
    for model, model_admin in model_admins():
        pk = some_pk(model)
        for pattern in custom_urls(model_admin):
            name = f"admin:{pattern.name}"
            for value in BAD:
                for object_id in {pk, value} - {None}:
                    kwargs = fill(pattern, str(object_id), "1")
                    try:
                        url = reverse(name, kwargs=kwargs)
                    except Exception:  # the converter refuses the value: no such URL
                        continue
                    query = {key: value for key in ("a", "b", "days", "revision", "until")}
                    assert_no_5xx(client.get(url, query), f"{role} GET {url} {value!r}")
                    for move in moves_for(pattern):
                        data = {
                            "move": move,
                            "version": value,
                            "revision": value,
                            "publish_at": value,
                            "until": value,
                            "reason": value,
                        }
                        response = client.post(url, data)
                        assert_no_5xx(response, f"{role} POST {url} {move} {value!r}")
    moderate = reverse("admin:newsroom_article_moderate", args=[article.pk])
    for field in ("publish_at", "until"):
        for value in ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-45T99:99"]:
            data = {"move": "approve", "publish_at": value, "until": value}
            for move in ("approve", "pin"):
                response = client.post(
                    moderate, {**moderation_fields(article), **data, "move": move}
                )
                assert_no_5xx(response, f"{role} {move} {field}={value}")


@pytest.mark.parametrize("role", ["editor", "reviewer", "superuser"])
def test_bulk_actions_and_autocomplete_with_bad_values(site, role):
    """Bulk actions with bad selections and versions, the autocomplete with bad queries."""
    client = client_for(site["users"][role])
    for model, model_admin in model_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for action in model_admin.get_actions(_request(client, role, site)):
            for value in BAD:
                data = {
                    "action": action,
                    "_selected_action": [value],
                    "seen": [f"{value}:{value}", value],
                    "index": value,
                    "select_across": value,
                }
                assert_no_5xx(client.post(url, data), f"{role} {url} {action} {value!r}")
    for value in BAD:
        for field in ("cover", "category", "user"):
            query = {
                "app_label": "newsroom",
                "model_name": "article" if field != "user" else "membership",
                "field_name": field,
                "term": value,
                "page": value,
            }
            assert_no_5xx(client.get(reverse("admin:autocomplete"), query), f"autocomplete {query}")


def _request(client, role, site):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = site["users"][role]
    return request


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/admin/newsroom/article/", {"department": "99999999999999999999"}),
        ("post", "moderate", {"move": "approve", "publish_at": "0001-01-01T00:00"}),
        ("post", "change", {"cover": "99999999999999999999"}),
        ("post", "change", {"cover": "abc"}),
        ("post", "change", {"publish_at_0": "0001-01-01", "publish_at_1": "00:00:00"}),
    ],
)
def test_the_reported_500s_are_form_errors_or_4xx(site, method, path, data):
    """The four cases found by hand answer a form error, a message or a 4xx."""
    client = client_for(site["users"]["superuser"])
    article = Article.objects.get(pk=site["article"].pk)
    if path == "moderate":
        url = reverse("admin:newsroom_article_moderate", args=[article.pk])
        data = {**moderation_fields(article), **data}
    elif path == "change":
        url = reverse("admin:newsroom_article_change", args=[article.pk])
        data = article_change_data(article, **data)
    else:
        url = path
    response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302, 400, 404)
    if path == "change":
        assert response.status_code == 200 and response.context["adminform"].form.errors
    assert Article.objects.get(pk=article.pk).status == Article.Status.PENDING
