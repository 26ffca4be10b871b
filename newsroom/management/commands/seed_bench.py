"""
Bulk data for the benchmarks: N published articles in a few departments.

Inserts in batches with ``bulk_create`` (so ``Article.save`` does not run:
bodies are cleaned and search documents built here, once per template and
per article respectively). Most articles go to the first column of the first
department, so that deep list pages (page 400 and beyond) exist, as they do
in a college's long-running 最新动态 column.
"""

import queue
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import islice

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from newsroom.core.html import clean_body
from newsroom.core.search_document import build_document
from newsroom.management.commands.seed_demo import create_pictures
from newsroom.models import Article, Category, Department, Image
from newsroom.services.maintenance import database_analyze
from newsroom.services.search import (
    SEARCH_INDEX_SQL,
    drop_recent_indexes,
    refresh_recent_index,
)

SEED = 20240901
BATCH = 2000
WRITERS = 2
DEPARTMENTS = (
    ("bench-info", "信息科学与工程学院"),
    ("bench-mech", "机械工程学院"),
    ("bench-econ", "经济管理学院"),
    ("bench-arts", "人文学院"),
)
COLUMNS = (
    ("news", "最新动态"),
    ("notices", "通知公告"),
    ("academic", "学术活动"),
    ("teaching", "教学工作"),
    ("students", "学生工作"),
)
TOPICS = (
    "新学期教学工作会议",
    "人工智能前沿学术报告",
    "研究生招生复试",
    "本科教学质量评估",
    "大学生创新创业大赛",
    "校企合作签约仪式",
    "学科建设研讨会",
    "国家自然科学基金申报",
    "毕业生就业双选会",
    "实验室安全检查",
    "教师教学能力比赛",
    "国际学术交流",
    "暑期社会实践",
    "新生入学教育",
    "党史学习教育",
    "志愿服务活动",
    "图书馆阅读推广",
    "科研团队建设",
    "课程思政示范课",
    "数据科学工作坊",
)
SENTENCES = (
    "为进一步提高人才培养质量，学院认真落实学校本学期工作部署，结合学科特点精心组织实施。",
    "会议由学院党委书记主持，全体班子成员、各系主任及教师代表参加了会议。",
    "与会人员围绕课程建设、教材改革和实践教学等议题进行了深入交流和讨论。",
    "活动吸引了来自全校各专业的两百余名师生参加，现场气氛热烈，互动频繁。",
    "报告人结合自身多年的研究经历，深入浅出地介绍了该领域的最新进展和发展趋势。",
    "学院将以此次活动为契机，持续推进教育教学改革，不断提升办学水平和社会服务能力。",
    "各系部要高度重视，认真组织，确保各项工作按时保质完成，并及时报送相关材料。",
    "同学们纷纷表示，此次活动开阔了视野，增长了见识，对今后的学习和科研很有帮助。",
    "近年来，学院不断加强师资队伍建设，引进和培养了一批高水平的学科带头人和青年骨干教师。",
    "本次比赛共有四十余支队伍参赛，经过初赛、复赛和决赛的激烈角逐，最终评选出一等奖三项。",
    "学院高度重视实验室安全工作，定期开展安全隐患排查，切实保障师生的生命财产安全。",
    "下一步，学院将继续深化校企合作，共建实习实践基地，推动产学研用深度融合。",
    "请各位同学关注学院网站通知，按要求在规定时间内完成网上报名和资格审核。",
    "此次交流进一步加深了双方的了解与合作，为今后开展联合培养和科研合作奠定了基础。",
    "与会专家对学院近年来在学科建设方面取得的成绩给予了充分肯定，并提出了宝贵意见。",
    "学院领导向获奖团队和个人表示祝贺，勉励大家再接再厉，在新的起点上取得更大成绩。",
)


class Command(BaseCommand):
    help = "Create N published articles quickly for benchmarks (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument(
            "--main-share",
            type=float,
            default=0.85,
            help="share of the articles in the first column (for deep list pages)",
        )

    def handle(self, *args, articles, main_share, **options):
        started = time.perf_counter()
        with search_index_dropped() as rebuild:
            created = seed_bench(count=articles, main_share=main_share)
            inserted = time.perf_counter()
        # Fresh planner statistics: without them the new rows are planned as an empty table.
        database_analyze()
        elapsed = time.perf_counter() - started
        insert_seconds = inserted - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} articles in {elapsed:.1f} s ({created / elapsed:.0f} "
                f"articles/s): inserts {insert_seconds:.1f} s "
                f"({created / insert_seconds:.0f} articles/s), "
                f"search index {rebuild.seconds:.1f} s."
            )
        )


MAINTENANCE_WORK_MEM = "SET maintenance_work_mem = '512MB'"


class search_index_dropped:
    """On PostgreSQL, drop the search indexes for a bulk load and build them once after.

    Building a GIN index in one pass is cheaper than growing it row by row; the
    time it takes is reported with the seeding time.
    """

    seconds = 0.0

    def __enter__(self):
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX IF EXISTS article_search_idx")
            drop_recent_indexes()
        return self

    def __exit__(self, *exc):
        if self.postgres:
            started = time.perf_counter()
            # The two indexes are built side by side, each in a session of its
            # own: a GIN index is built by one process.
            with ThreadPoolExecutor(max_workers=1) as pool:
                recent = pool.submit(build_recent_index)
                with connection.cursor() as cursor:
                    cursor.execute(MAINTENANCE_WORK_MEM)
                    for statement in SEARCH_INDEX_SQL:
                        cursor.execute(statement)
                recent.result()
            self.seconds = time.perf_counter() - started
        return False


def build_recent_index():
    """The recent-articles index, from a thread: in the thread's own connection."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(MAINTENANCE_WORK_MEM)
        return refresh_recent_index(concurrently=False)
    finally:
        connection.close()


def seed_bench(*, count, main_share=0.85):
    rng = random.Random(SEED)
    columns = ensure_columns()
    images = list(Image.objects.filter(original_name__startswith="bench-"))
    if not images:
        images = []
        for image, _spec in create_pictures():
            image.original_name = f"bench-{image.original_name}"
            image.save(update_fields=["original_name"])
            images.append(image)
    bodies = [make_body(rng, images) for _ in range(50)]
    # Tokenising a 3 KB body is the slow part of an insert: do it once per body.
    body_tokens = {body: build_document(body) for body in bodies}
    main, others = columns[0], columns[1:]
    now = timezone.now()
    start = Article.objects.filter(category__in=columns).count()

    # Every third article of a column has a cover, not three in ten at random:
    # every list page then shows six or seven thumbnails, and page 400 is
    # compared with page 1 for its depth, not for the luck of its covers (at
    # random, one 10,000-article seed gave page 1 seven and page 400 twelve).
    in_column = Counter()

    def articles():
        for index in range(count):
            column = main if rng.random() < main_share else rng.choice(others)
            in_column[column] += 1
            topic = rng.choice(TOPICS)
            title = f"{column.department.name}举办{topic}（第{start + index + 1}期）"
            summary = rng.choice(SENTENCES)
            body = rng.choice(bodies)
            yield Article(
                category=column,
                title=title,
                summary=summary,
                body=body,
                author=rng.choice(("张明", "王丽", "刘洋", "赵晓雪")),
                source="学院办公室",
                responsible_editor=rng.choice(("陈静", "徐宁")),
                status=Article.Status.PUBLISHED,
                # Spread back in time, one every ~40 minutes, newest first.
                publish_at=now - timedelta(minutes=40 * (count - index) + 5),
                cover=rng.choice(images) if in_column[column] % 3 == 0 else None,
                click_count=int(rng.paretovariate(1.3) * 80),
                search_title=build_document(title),
                search_document=" ".join((build_document(title, summary), body_tokens[body])),
            )

    created = 0
    stream = articles()
    with BatchWriter() as writer:
        while batch := list(islice(stream, BATCH)):
            writer.write(batch)
            created += len(batch)
    return created


class BatchWriter:
    """
    Inserts batches on ``WRITERS`` threads, each with its own connection.

    Most of an insert's time is PostgreSQL's (TOAST compression of the body
    and token list, the stored tsvector), and psycopg lets other threads run
    while it waits; with one connection per core the database works on two
    batches at once while Python builds the next.
    """

    def __init__(self, writers=WRITERS):
        self.queue = queue.Queue(maxsize=writers)
        self.errors = []
        self.threads = [threading.Thread(target=self._work) for _ in range(writers)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def write(self, batch):
        if self.errors:
            raise self.errors[0]
        self.queue.put(batch)

    def _work(self):
        try:
            while (batch := self.queue.get()) is not None:
                if self.errors:
                    continue
                try:
                    with transaction.atomic():
                        Article.objects.bulk_create(batch, batch_size=BATCH)
                except Exception as error:  # handed to the main thread
                    self.errors.append(error)
        finally:
            connection.close()

    def __exit__(self, *exc):
        for _thread in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.errors and exc[0] is None:
            raise self.errors[0]
        return False


def ensure_columns():
    columns = []
    for order, (slug, name) in enumerate(DEPARTMENTS):
        department, _ = Department.objects.get_or_create(
            slug=slug, defaults={"name": name, "order": 100 + order}
        )
        for column_order, (column_slug, column_name) in enumerate(COLUMNS):
            column, _ = Category.objects.get_or_create(
                department=department,
                slug=column_slug,
                defaults={"name": column_name, "order": column_order},
            )
            column.department = department
            columns.append(column)
    return columns


def make_body(rng, images):
    """About 3 KB of cleaned HTML: paragraphs, a subheading and an inline picture."""
    parts = []
    size = 0
    image = rng.choice(images)
    while size < 3000:
        paragraph = "".join(rng.choice(SENTENCES) for _ in range(3))
        parts.append(f"<p>{paragraph}</p>")
        size += len(paragraph.encode())
        if len(parts) == 2:
            parts.append(
                f'<figure class="image"><img src="{image.url}" alt="{image.alt_text}" '
                f'width="{image.width}" height="{image.height}"><figcaption>{image.alt_text}'
                "</figcaption></figure>"
            )
        if len(parts) == 4:
            parts.append(f"<h3>{rng.choice(TOPICS)}</h3>")
    return clean_body("".join(parts))
