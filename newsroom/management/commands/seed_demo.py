"""
Load a small, believable news site for development and demonstrations.

Two departments (信息科学与工程学院 with five columns and ~90 articles, 外国语学院
with three columns and ten), twelve pictures drawn with Pillow, and articles in
every state the site has to handle: published, pinned (with and without an end
time, plus one whose pin has run out), scheduled for the coming days, drafts
and articles waiting for review. 最新动态 has 45 articles, so its list pages;
several notices carry PDF and Word attachments made here; the last 30 days'
clicks are kept per day, so 热门文章 is filled.

The text comes from the hand-written pool in ``_demo_content``; a fixed seed
makes the output the same on every run of the same day. Dates are laid out
backwards from today so the site always looks current.
"""

import io
import math
import random
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dt_time

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from newsroom.models import (
    Article,
    Attachment,
    Category,
    DailyClickCount,
    Department,
    FriendlyLink,
    Image,
    SiteSettings,
)
from newsroom.services.attachments import attachment_create
from newsroom.services.identity import identity_renditions_ensure

from . import _demo_content as corpus

SEED = 20240901

# How far back published articles go (~18 months).
HISTORY_DAYS = 540

# Yearly events (论坛, 竞赛, 文化节 …) count their editions from this year, so
# the opening and the closing of one year's festival carry the same number.
FIRST_EDITION_YEAR = 2016


@dataclass(frozen=True)
class ColumnPlan:
    count: int
    # States other than plain "published"; the rest of the column is published.
    states: tuple[str, ...] = ()
    cover_rate: float = 0.0
    photo_rate: float = 0.0


PLAN = {
    # More than two pages of 20, so the column shows 下一页.
    ("info", "news"): ColumnPlan(45, ("pinned", "scheduled", "draft", "pending"), 0.6, 0.5),
    ("info", "notices"): ColumnPlan(14, ("pinned_until", "pin_expired", "scheduled", "draft")),
    ("info", "academic"): ColumnPlan(12, ("scheduled", "pending"), 0.4, 0.5),
    ("info", "teaching"): ColumnPlan(10, ("draft",), 0.25, 0.3),
    ("info", "students"): ColumnPlan(12, ("pinned",), 0.5, 0.5),
    ("foreign", "news"): ColumnPlan(5, ("draft",), 0.6, 0.5),
    ("foreign", "notices"): ColumnPlan(3, ("pinned",)),
    ("foreign", "academic"): ColumnPlan(2, (), 0.3, 0.3),
}

VISIBLE_STATES = frozenset({"published", "pinned", "pinned_until", "pin_expired"})
PINNED_STATES = frozenset({"pinned", "pinned_until", "pin_expired"})


class Command(BaseCommand):
    help = "Create demo departments, columns, articles and images (does nothing if present)."

    def handle(self, *args, **options):
        slugs = [department["slug"] for department in corpus.DEPARTMENTS]
        if Department.objects.filter(slug__in=slugs).exists():
            self.stdout.write(
                self.style.WARNING("Demo content is already loaded; nothing was changed.")
            )
            return

        with transaction.atomic():
            seed_demo()

        now = timezone.now()
        articles = Article.objects.all()
        published = articles.published(at=now)
        summary = (
            f"Demo content loaded: {Department.objects.count()} departments, "
            f"{Category.objects.count()} columns, {articles.count()} articles "
            f"({published.count()} published, "
            f"{articles.filter(status=Article.Status.PUBLISHED, publish_at__gt=now).count()} "
            f"scheduled, {articles.filter(status=Article.Status.DRAFT).count()} drafts, "
            f"{articles.filter(status=Article.Status.PENDING).count()} pending review; "
            f"{published.pinned(at=now).count()} pinned), {Image.objects.count()} images, "
            f"{Attachment.objects.count()} attachments."
        )
        self.stdout.write(self.style.SUCCESS(summary))


def seed_demo():
    rng = random.Random(SEED)
    # Midnight today: everything is laid out from here, so two runs on the same
    # day give the same dates, and "days ago" never lands in the future.
    today = timezone.make_aware(datetime.combine(timezone.localdate(), dt_time.min))
    pictures = create_pictures()
    titles = set()
    for department_conf in corpus.DEPARTMENTS:
        department = Department.objects.create(
            name=department_conf["name"],
            slug=department_conf["slug"],
            description=department_conf["description"],
            order=department_conf["order"],
        )
        for order, column_conf in enumerate(corpus.COLUMNS[department.slug], start=1):
            column = Category.objects.create(
                department=department,
                name=column_conf["name"],
                slug=column_conf["slug"],
                order=order,
            )
            plan = PLAN[(department.slug, column.slug)]
            create_column_articles(
                rng, department_conf, column_conf, column, plan, pictures, today, titles
            )
    create_daily_clicks(rng, today)
    create_attachments(rng)
    create_identity()


# --- Site identity ----------------------------------------------------------------


def create_identity():
    """Site settings as a university would fill them in (example numbers), a
    logo and a banner, and friendly links; the foreign-language school has an
    English name."""
    logo = Image(
        file=ContentFile(draw_logo(), name="logo.png"), alt_text="", original_name="logo.png"
    )
    logo.save()
    banner_data = draw_banner()
    banner = Image(
        file=ContentFile(banner_data, name="banner.jpg"),
        alt_text="",
        original_name="banner.jpg",
        size=len(banner_data),
    )
    banner.save()
    site = SiteSettings(
        site_name="示例大学新闻网",
        university_name="示例大学",
        university_url="https://www.example.edu.cn/",
        english_name="Example University News",
        logo=logo,
        banner=banner,
        copyright="版权所有 © 示例大学",
        address="示例市学院路 1 号",
        postcode="100000",
        phone="010-00000000",
        email="news@example.edu.cn",
        icp_number="京ICP备00000000号-1",
        psb_number="京公网安备 00000000000000号",
        psb_url="https://beian.mps.gov.cn/",
    )
    site.save()
    for order, (name, url) in enumerate(
        (
            ("示例大学", "https://www.example.edu.cn/"),
            ("教育部", "http://www.moe.gov.cn/"),
            ("中国高等教育学生信息网", "https://www.chsi.com.cn/"),
        )
    ):
        FriendlyLink.objects.create(site=site, name=name, url=url, order=order)
    Department.objects.filter(slug="info").update(
        english_name="School of Information Science and Engineering"
    )
    Department.objects.filter(slug="foreign").update(english_name="School of Foreign Languages")
    identity_renditions_ensure(site)


def draw_logo():
    """A round emblem on a transparent background."""
    size = 240
    picture = PILImage.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse([8, 8, size - 8, size - 8], fill=(255, 255, 255, 255))
    draw.ellipse([26, 26, size - 26, size - 26], fill=(11, 74, 139, 255))
    draw.polygon([(120, 60), (180, 150), (60, 150)], fill=(255, 255, 255, 255))
    draw.rectangle([70, 160, 170, 176], fill=(255, 255, 255, 255))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def draw_banner():
    """A wide strip of sky and hills for the header."""
    size = (1920, 240)
    picture = gradient(size, (24, 84, 150), (120, 170, 220))
    draw_hills(ImageDraw.Draw(picture), size, random.Random(SEED))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# --- Clicks per day and attachments -----------------------------------------------

RECENT_DAYS = 30


def create_daily_clicks(rng, today):
    """
    Daily counts for the last 30 days, which 热门文章 adds up: an article
    published in that window got its clicks since then, an older one a
    trickle on a few days.
    """
    rows = []
    first_day = timezone.localdate(today) - timedelta(days=RECENT_DAYS - 1)
    visible = Article.objects.published(at=today).filter(click_count__gt=0)
    for article in visible.only("id", "publish_at", "click_count").order_by("pk"):
        published_on = timezone.localdate(article.publish_at)
        if published_on >= first_day:
            days = [
                published_on + timedelta(days=n)
                for n in range((timezone.localdate(today) - published_on).days + 1)
            ]
            total = article.click_count
        else:
            days = sorted(
                rng.sample([first_day + timedelta(days=n) for n in range(RECENT_DAYS)], 4)
            )
            total = max(1, article.click_count // 50)
        weights = [rng.random() + 0.2 for _ in days]
        scale = total / sum(weights)
        for day, weight in zip(days, weights, strict=True):
            rows.append(
                DailyClickCount(article=article, day=day, count=max(1, round(weight * scale)))
            )
    DailyClickCount.objects.bulk_create(rows)


ATTACHED_ARTICLES = 6


def create_attachments(rng):
    """PDF and Word files under a few published notices, made here and stored
    through the same checks as an editor's upload."""
    notices = list(
        Article.objects.published()
        .filter(category__slug="notices")
        .order_by("-publish_at", "pk")[:ATTACHED_ARTICLES]
    )
    for index, article in enumerate(notices):
        files = [(f"{article.title[:40]}.pdf", demo_pdf(article.title))]
        if index % 2 == 0:
            files.append((f"报名表{index + 1}.docx", demo_docx(article.title)))
        for order, (name, data) in enumerate(files):
            attachment_create(
                article=article,
                uploaded_file=ContentFile(data, name=name),
                user=None,
                name=name,
                order=order,
            )


def demo_pdf(title):
    """A one-page PDF (Pillow writes it; the mark is ASCII so no CJK font is needed)."""
    page = PILImage.new("RGB", (595, 842), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    draw.rectangle([40, 40, 555, 90], fill=(36, 82, 150))
    draw.text((50, 58), "NEWSROOM DEMO ATTACHMENT", fill=(255, 255, 255))
    for line in range(12):
        draw.line([50, 130 + line * 40, 540, 130 + line * 40], fill=(200, 200, 200))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", title=title)
    return buffer.getvalue()


def demo_docx(title):
    """A minimal Word document (Office Open XML) with the notice's title."""
    word = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    package = "http://schemas.openxmlformats.org/package/2006"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/'
            f'relationships"><Relationship Id="rId1" Type="{office}/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{word}"><w:body>'
            f"<w:p><w:r><w:t>{escape(title)}</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>姓名：＿＿＿＿ 学号：＿＿＿＿ 联系电话：＿＿＿＿</w:t></w:r></w:p>"
            "</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- Articles -------------------------------------------------------------------


def create_column_articles(
    rng, department_conf, column_conf, column, plan, pictures, today, titles
):
    pool = [(image, spec) for image, spec in pictures if column.slug in spec["columns"]]
    pool = pool or pictures
    usage = [0] * len(column_conf["stories"])
    states = list(plan.states) + ["published"] * (plan.count - len(plan.states))
    # Fixed numbers of pictures per column rather than a coin flip per article,
    # so the share of articles with a cover is the same whatever the date.
    with_cover = set(rng.sample(range(plan.count), round(plan.count * plan.cover_rate)))
    with_photo = set(rng.sample(range(plan.count), round(plan.count * plan.photo_rate)))
    for index, state in enumerate(states):
        publish_at = publish_time(rng, state, today)
        story, ctx, title = pick_story(
            rng, column_conf["stories"], usage, department_conf, publish_at, titles
        )

        cover = None
        front_page = state in ("pinned", "pinned_until") and plan.cover_rate
        if front_page or index in with_cover:
            cover = rng.choice(pool)
        figure = None
        if index in with_photo:
            choices = [picture for picture in pool if picture is not cover] or pool
            image, spec = rng.choice(choices)
            figure = figure_html(image, spec["caption"])

        is_pinned = state in PINNED_STATES
        pinned_until = None
        if state == "pinned_until":
            pinned_until = today + timedelta(days=10)
        elif state == "pin_expired":
            pinned_until = publish_at + timedelta(days=14)

        Article(
            category=column,
            title=title,
            summary=rng.choice(story["summaries"]).format(**ctx),
            body=render_body(rng, story, ctx, figure, column.slug),
            cover=cover[0] if cover else None,
            author=rng.choice(corpus.AUTHORS),
            source=rng.choice(column_conf["sources"]),
            photographer=rng.choice(corpus.PHOTOGRAPHERS) if cover or figure else "",
            responsible_editor=rng.choice(corpus.EDITORS),
            status=status_for(state),
            publish_at=publish_at,
            is_pinned=is_pinned,
            pinned_until=pinned_until,
            click_count=click_count(rng, state, publish_at, today),
        ).save()


def status_for(state):
    if state == "draft":
        return Article.Status.DRAFT
    if state == "pending":
        return Article.Status.PENDING
    return Article.Status.PUBLISHED


def publish_time(rng, state, today):
    if state == "scheduled":
        return today + timedelta(days=rng.randint(1, 6), hours=rng.randint(8, 10))
    if state in ("draft", "pending"):
        days = rng.randint(1, 3)
    elif state in ("pinned", "pinned_until"):
        days = rng.randint(2, 20)
    elif state == "pin_expired":
        days = rng.randint(60, 90)
    else:
        days = rng.randint(1, HISTORY_DAYS)
    return (
        today
        - timedelta(days=days)
        + timedelta(hours=rng.randint(8, 20), minutes=rng.randrange(60))
    )


def click_count(rng, state, publish_at, today):
    """Skewed like a real site: most articles a few hundred, a handful in the thousands."""
    if state not in VISIBLE_STATES:
        return 0
    # Pinned articles stay on the home page for days: they are always among
    # the most read, so the site has a few articles in the thousands.
    if state == "pinned" or rng.random() < 0.07:
        clicks = rng.randint(1500, 8000)
    else:
        clicks = rng.lognormvariate(math.log(260), 0.55)
    if state in PINNED_STATES:
        clicks *= 1.8
    # New articles have not had the time to collect their readers yet.
    age_days = (today - publish_at).days
    return max(12, int(clicks * min(1.0, 0.3 + age_days / 20)))


def pick_story(rng, stories, usage, department_conf, publish_at, titles):
    """The least used story that fits the month, with a title not used before."""
    month = timezone.localtime(publish_at).month
    candidates = [i for i, story in enumerate(stories) if month in story.get("months", (month,))]
    for _attempt in range(40):
        fewest = min(usage[i] for i in candidates)
        index = rng.choice([i for i in candidates if usage[i] == fewest])
        usage[index] += 1
        story = stories[index]
        ctx = build_context(rng, department_conf, publish_at)
        title = rng.choice(story["titles"]).format(**ctx)
        if title not in titles:
            titles.add(title)
            return story, ctx, title
    raise RuntimeError(f"The demo corpus ran out of titles for month {month}.")


def build_context(rng, department_conf, publish_at):
    local = timezone.localtime(publish_at)
    year, month = local.year, local.month
    event = local - timedelta(days=rng.randint(0, 2))
    deadline = local + timedelta(days=rng.randint(3, 4))
    day1 = local + timedelta(days=rng.randint(5, 9))
    day2 = day1 + timedelta(days=rng.randint(2, 4))
    day3 = day2 + timedelta(days=rng.randint(2, 5))
    grade = year if month >= 9 else year - 1  # the intake year of this year's freshmen
    if 2 <= month <= 7:
        term = f"{year}年春季"
    else:
        term = f"{year - 1 if month == 1 else year}年秋季"

    def name():
        return rng.choice(corpus.SURNAMES) + rng.choice(corpus.GIVEN_NAMES)

    surnames = rng.sample(corpus.SURNAMES, 5)
    students = set()
    while len(students) < 7:
        students.add(name())
    students = sorted(students, key=lambda _: rng.random())
    topic, topic2 = rng.sample(department_conf["topics"], 2)
    holiday = corpus.HOLIDAY_BY_MONTH[month]

    ctx = {
        key: department_conf[key]
        for key in ("leader", "secretary", "vice_teach", "vice_research", "deputy_sec")
    }
    ctx.update(
        dept=department_conf["name"],
        year=year,
        year_next=year + 1,
        term=term,
        grade=grade,
        grade_2=grade - 1,
        grade_3=grade - 2,
        grad=grade + 1,  # the class graduating this academic year
        date=month_day(event),
        date_end=month_day(event + timedelta(days=1)),
        pub_md=month_day(local),
        pubdate=f"{local.year}年{local.month}月{local.day}日",
        deadline=month_day(deadline),
        day1=month_day(day1),
        day2=month_day(day2),
        day3=month_day(day3),
        time=rng.choice(("9:30", "14:30", "15:00", "19:00")),
        place=rng.choice(department_conf["places"]),
        room=rng.choice(department_conf["rooms"]),
        prof=f"{name()}教授",
        teacher=f"{surnames[0]}老师",
        teacher2=f"{surnames[1]}老师",
        contact=f"{surnames[2]}老师",
        speaker=f"{surnames[3]}{rng.choice(corpus.GIVEN_NAMES)}教授",
        speaker_short=f"{surnames[3]}教授",
        affil=rng.choice(corpus.AFFILIATIONS),
        topic=topic,
        topic2=topic2,
        talk=rng.choice(department_conf["talks"]).format(topic=topic, topic2=topic2),
        major=rng.choice(department_conf["majors"]),
        company=rng.choice(department_conf["companies"]),
        competition=rng.choice(department_conf["competitions"]),
        student=students[0],
        alumni=name(),
        nth=chinese_number(year - FIRST_EDITION_YEAR + 1),
        issue=rng.randint(6, 60),
        n_small=rng.randint(8, 40),
        n_people=rng.randint(80, 300),
        n_people2=rng.randint(400, 1200),
        n_teams=rng.randint(6, 30),
        n_awards=rng.randint(4, 15),
        n_proj=rng.randint(4, 12),
        holiday=holiday,
        holiday_year=year + 1 if holiday == "元旦" else year,
        site=rng.choice(corpus.PARTY_SITES),
        forum_theme=rng.choice(corpus.FORUM_THEMES),
        volunteer=rng.choice(corpus.VOLUNTEER_EVENTS),
        festival=rng.choice(corpus.FESTIVALS),
        speech_theme=rng.choice(corpus.SPEECH_THEMES),
        phone=f"8819{rng.randint(1000, 9999)}",
    )
    ctx.update({f"s{i}": student for i, student in enumerate(students[1:], start=1)})
    return ctx


def chinese_number(n):
    """1 to 99 as Chinese numerals: 九, 十, 十二, 二十一."""
    digits = "零一二三四五六七八九"
    tens, units = divmod(n, 10)
    if not tens:
        return digits[units]
    return (digits[tens] if tens > 1 else "") + "十" + (digits[units] if units else "")


def month_day(moment):
    return f"{moment.month}月{moment.day}日"


# --- Body HTML, shaped like CKEditor 5's output -----------------------------------


def render_body(rng, story, ctx, figure, column_slug):
    def fill(text):
        return escape(text.format(**ctx))

    parts = [f"<p>{fill(paragraph)}</p>" for paragraph in rng.choice(story["openings"]).split("\n")]
    if figure:
        parts.append(figure)

    sections = list(story["sections"])
    if len(sections) >= 3 and rng.random() < 0.25:
        # Vary the length: leave out one of the middle-or-later sections.
        sections.pop(rng.randrange(1, len(sections)))
    for section in sections:
        parts.append(f"<h2>{fill(section['h'])}</h2>")
        parts.extend(f"<p>{fill(paragraph)}</p>" for paragraph in section.get("p", ()))
        for tag in ("ul", "ol"):
            if tag in section:
                items = "".join(f"<li>{fill(item)}</li>" for item in section[tag])
                parts.append(f"<{tag}>{items}</{tag}>")
        if "table" in section:
            parts.append(table_html(section["table"], fill))

    extras = corpus.EXTRAS.get(column_slug, ())
    if extras:
        parts.extend(f"<p>{fill(paragraph)}</p>" for paragraph in rng.sample(extras, 2))
    if "closing" in story:
        parts.append(f"<p>{fill(story['closing'])}</p>")
    if story.get("signed"):
        parts.append(f'<p style="text-align:right;">{fill("{dept}")}</p>')
        parts.append(f'<p style="text-align:right;">{fill("{pubdate}")}</p>')
    return "".join(parts)


def table_html(table, fill):
    head = "".join(f"<th>{fill(cell)}</th>" for cell in table["head"])
    rows = "".join(
        "<tr>" + "".join(f"<td>{fill(cell)}</td>" for cell in row) + "</tr>"
        for row in table["rows"]
    )
    return (
        f'<figure class="table"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></figure>"
    )


def figure_html(image, caption):
    return (
        f'<figure class="image"><img src="{image.url}" alt="{escape(image.alt_text)}" '
        f'width="{image.width}" height="{image.height}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


# --- Pictures ---------------------------------------------------------------------


def create_pictures():
    """Draw and store the demo pictures; returns (Image, spec) pairs."""
    pictures = []
    for index, spec in enumerate(corpus.PICTURES, start=1):
        data = draw_picture(spec, index)
        filename = f"DSC{4100 + index * 7:05d}.jpg"
        # Assigned rather than passed to file.save(): that way the ImageField
        # reads width and height from the content before it is written.
        image = Image(
            file=ContentFile(data, name=filename),
            alt_text=spec["alt"],
            original_name=filename,
            size=len(data),
        )
        image.save()
        pictures.append((image, spec))
    return pictures


SKIES = (
    ((96, 150, 214), (212, 230, 247)),
    ((238, 150, 96), (255, 226, 190)),
    ((64, 104, 166), (186, 208, 234)),
    ((140, 186, 228), (236, 243, 250)),
)


def draw_picture(spec, index):
    rng = random.Random(SEED + index)
    size = spec["size"]
    top, bottom = SKIES[index % len(SKIES)]
    if spec["scene"] == "hall":
        top, bottom = (34, 38, 66), (10, 10, 20)
    elif spec["scene"] in ("lab", "books"):
        top, bottom = (232, 234, 238), (196, 202, 212)
    picture = gradient(size, top, bottom)
    SCENES[spec["scene"]](ImageDraw.Draw(picture), size, rng)
    # A small ASCII mark only: no CJK font is needed to run the seeder.
    draw = ImageDraw.Draw(picture)
    draw.text(
        (12, size[1] - 20),
        f"NEWSROOM DEMO {index:02d}",
        fill=(255, 255, 255),
        font=ImageFont.load_default(),
    )
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def gradient(size, top, bottom):
    mask = PILImage.linear_gradient("L").resize(size)
    return PILImage.composite(
        PILImage.new("RGB", size, bottom), PILImage.new("RGB", size, top), mask
    )


def shade(color, factor):
    return tuple(max(0, min(255, int(channel * factor))) for channel in color)


def draw_buildings(draw, size, rng):
    w, h = size
    unit = w / 1200
    ground = int(h * 0.8)
    sun = int(60 * unit)
    draw.ellipse([w * 0.78, h * 0.1, w * 0.78 + sun * 2, h * 0.1 + sun * 2], fill=(255, 240, 200))
    x = -rng.randint(0, 40)
    while x < w:
        bw = rng.randint(w // 7, w // 4)
        bh = rng.randint(int(h * 0.3), int(h * 0.62))
        color = rng.choice(((214, 204, 188), (188, 190, 196), (226, 214, 196), (170, 176, 188)))
        draw.rectangle([x, ground - bh, x + bw, ground], fill=color)
        step_x, step_y = int(26 * unit) + 4, int(30 * unit) + 4
        for wy in range(ground - bh + step_y // 2, ground - step_y, step_y):
            for wx in range(x + step_x // 2, x + bw - step_x // 2, step_x):
                lit = rng.random() < 0.15
                draw.rectangle(
                    [wx, wy, wx + step_x // 2, wy + step_y // 2],
                    fill=(250, 232, 160) if lit else shade(color, 0.72),
                )
        x += bw + rng.randint(8, 40)
    draw.rectangle([0, ground, w, h], fill=(98, 142, 86))
    for _ in range(rng.randint(6, 12)):
        cx, r = rng.randint(0, w), int(rng.randint(18, 42) * unit) + 6
        draw.ellipse([cx - r, ground - r * 2, cx + r, ground + r // 3], fill=(50, 108, 58))


def draw_hall(draw, size, rng):
    w, h = size
    unit = w / 1200
    draw.rectangle([w * 0.2, h * 0.07, w * 0.8, h * 0.46], fill=(224, 234, 248))
    draw.rectangle([w * 0.24, h * 0.11, w * 0.76, h * 0.17], fill=(40, 90, 160))
    for i in range(5):
        y = h * (0.22 + i * 0.045)
        draw.rectangle(
            [w * 0.26, y, w * (0.3 + rng.random() * 0.42), y + 8 * unit + 2], fill=(120, 140, 170)
        )
    draw.rectangle([w * 0.08, h * 0.42, w * 0.16, h * 0.58], fill=(120, 70, 40))
    for row in range(5):
        radius = int((16 + row * 4) * unit) + 3
        y = h * 0.6 + row * h * 0.085
        x = rng.randint(0, radius)
        while x < w:
            hair = rng.randint(18, 60)
            coat = rng.choice(((40, 52, 90), (70, 70, 74), (120, 40, 40), (30, 80, 70)))
            draw.ellipse(
                [x - radius * 1.6, y + radius, x + radius * 1.6, y + radius * 4], fill=coat
            )
            draw.ellipse(
                [x - radius, y - radius, x + radius, y + radius],
                fill=(hair, hair - 8 if hair > 8 else 0, hair),
            )
            x += int(radius * 3.4) + rng.randint(0, radius)


def draw_hills(draw, size, rng):
    w, h = size
    r = int(h * 0.08)
    cx, cy = int(w * rng.uniform(0.15, 0.85)), int(h * 0.22)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 236, 190))
    colors = ((120, 150, 130), (84, 124, 96), (52, 96, 70))
    for layer, color in enumerate(colors):
        base = h * (0.48 + layer * 0.1)
        points = [(0, h)]
        for i in range(13):
            points.append((w * i / 12, base - rng.randint(0, int(h * 0.16))))
        points.append((w, h))
        draw.polygon(points, fill=color)
    draw.rectangle([0, h * 0.8, w, h], fill=(92, 140, 184))
    for _ in range(14):
        y = rng.uniform(0.82, 0.98) * h
        x = rng.uniform(0, w * 0.9)
        draw.line([x, y, x + rng.uniform(30, 140), y], fill=(170, 204, 230), width=2)


def draw_lab(draw, size, rng):
    w, h = size
    desk = h * 0.7
    draw.rectangle([0, desk, w, h * 0.78], fill=(150, 110, 72))
    draw.rectangle([0, h * 0.78, w, h], fill=(84, 88, 96))
    for i in range(3):
        left = w * (0.06 + i * 0.32)
        right = left + w * 0.24
        top = desk - h * 0.36
        draw.rectangle([left, top, right, desk - h * 0.05], fill=(30, 32, 38))
        draw.rectangle([left + 8, top + 8, right - 8, desk - h * 0.05 - 8], fill=(24, 40, 56))
        y = top + 18
        while y < desk - h * 0.08:
            indent = rng.choice((0, 0, 16, 32))
            length = rng.uniform(0.2, 0.8) * (right - left - 40)
            color = rng.choice(((120, 200, 140), (230, 200, 120), (140, 180, 240), (220, 220, 220)))
            draw.line([left + 18 + indent, y, left + 18 + indent + length, y], fill=color, width=3)
            y += 12
        draw.rectangle(
            [(left + right) / 2 - 6, desk - h * 0.05, (left + right) / 2 + 6, desk],
            fill=(50, 50, 56),
        )
    board = [w * 0.62, h * 0.82, w * 0.94, h * 0.97]
    draw.rectangle(board, fill=(30, 110, 60))
    for _ in range(16):
        x, y = rng.uniform(board[0], board[2]), rng.uniform(board[1], board[3])
        draw.line([x, y, x + rng.uniform(-60, 60), y], fill=(214, 180, 90), width=2)
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(230, 210, 140))


def draw_track(draw, size, rng):
    w, h = size
    unit = w / 1200
    field_top = h * 0.36
    draw.rectangle([0, field_top, w, h], fill=(74, 150, 80))
    for i in range(8):
        if i % 2:
            draw.rectangle([w * i / 8, field_top, w * (i + 1) / 8, h], fill=(84, 162, 90))
    box = [-w * 0.1, h * 0.46, w * 1.1, h * 1.5]
    draw.ellipse(box, outline=(178, 82, 60), width=int(90 * unit))
    for lane in range(1, 6):
        inset = lane * 15 * unit
        draw.ellipse(
            [box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset],
            outline=(240, 240, 240),
            width=2,
        )
    draw.rectangle([0, field_top - h * 0.05, w, field_top], fill=(150, 150, 160))
    for _ in range(rng.randint(5, 9)):
        x = rng.uniform(0.05, 0.95) * w
        y = rng.uniform(0.5, 0.65) * h
        r = 6 * unit + 2
        draw.ellipse([x - r, y - 3 * r, x + r, y - r], fill=(60, 40, 30))
        draw.rectangle(
            [x - r, y - r, x + r, y + 2 * r],
            fill=rng.choice(((220, 60, 60), (40, 90, 200), (250, 250, 250))),
        )


def draw_books(draw, size, rng):
    w, h = size
    unit = w / 1200
    draw.rectangle([0, 0, w, h], fill=(120, 84, 52))
    shelves = 4
    for shelf in range(shelves):
        top = h * shelf / shelves
        bottom = h * (shelf + 1) / shelves
        draw.rectangle([0, bottom - 14 * unit - 4, w, bottom], fill=(86, 58, 34))
        x = rng.randint(6, 20)
        while x < w - 10:
            bw = int(rng.randint(14, 34) * unit) + 4
            bh = (bottom - top - 24) * rng.uniform(0.7, 0.95)
            color = rng.choice(
                (
                    (170, 50, 50),
                    (40, 80, 140),
                    (210, 180, 90),
                    (60, 120, 80),
                    (230, 230, 220),
                    (90, 60, 110),
                )
            )
            draw.rectangle(
                [x, bottom - 14 * unit - 4 - bh, x + bw, bottom - 14 * unit - 4], fill=color
            )
            band = bottom - 14 * unit - 4 - bh * 0.8
            draw.rectangle([x, band, x + bw, band + 5], fill=shade(color, 1.3))
            x += bw + rng.randint(0, 3)


SCENES = {
    "buildings": draw_buildings,
    "hall": draw_hall,
    "hills": draw_hills,
    "lab": draw_lab,
    "track": draw_track,
    "books": draw_books,
}
