"""
Driving an import: crawl an old site's columns and lists, fetch every article
with its pictures, files and click count on worker threads, and write each one
through the services on the calling thread (the database is used from one
thread only, and each article is its own transaction).
"""

import logging
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction

from newsroom.core.legacy_urls import legacy_key_of_url
from newsroom.services import legacy as service
from newsroom.services.maintenance import database_analyze
from newsroom.services.uploads import UploadRejected

from . import importer_for
from .base import Importer, ListItem, NotPublished, ParsedArticle
from .fetch import Fetcher, FetchError
from .html import parse_datetime

logger = logging.getLogger(__name__)
_MAP = re.compile(r"^\s*(.+?)\s*=\s*([-\w]+)\s*$")


@dataclass
class Options:
    start_url: str
    department_slug: str
    column_map: dict[str, str] = field(default_factory=dict)
    concurrency: int = 4
    delay: float = 0.0
    dry_run: bool = False
    old_host: str = ""  # the host old addresses will arrive with, if not the crawled one
    max_articles: int | None = None  # stop after this many (an interruption, in tests)


@dataclass
class Column:
    key: str
    url: str
    name: str
    items: list[ListItem] = field(default_factory=list)
    category: object = None


@dataclass
class Fetched:
    item: ListItem
    column: Column
    parsed: ParsedArticle | None = None
    images: dict = field(default_factory=dict)  # url -> (bytes, name) or error str
    files: list = field(default_factory=list)
    skipped: str = ""
    failed: str = ""


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)  # what a dry run would import
    system: str = ""
    department: object = None

    def problem(self, text):
        self.problems.append(text)


def parse_map(values) -> dict[str, str]:
    """``["学院新闻=news"]`` → ``{"学院新闻": "news"}``; raises ValueError on a bad entry."""
    mapping = {}
    for value in values or ():
        match = _MAP.match(value)
        if not match:
            raise ValueError(value)
        mapping[match[1]] = match[2]
    return mapping


class Run:
    def __init__(self, options: Options, *, progress=None):
        self.options = options
        self.progress = progress or (lambda text: None)
        self.summary = Summary()
        self.fetcher = Fetcher(concurrency=options.concurrency, delay=options.delay)
        self.importer: Importer | None = None
        self.host = ""
        self.trees = set()

    def run(self) -> Summary:
        try:
            return self._run()
        finally:
            self.fetcher.close()

    # --- crawling ----------------------------------------------------------------------

    def _run(self) -> Summary:
        start = self.fetcher.page(self.options.start_url)
        if start.status != 200 or start.tree is None:
            raise service.ImportRefused(f"{self.options.start_url}: HTTP {start.status}")
        self.importer = importer_for(start)
        if self.importer is None:
            raise service.ImportRefused(
                f"{self.options.start_url}: not a page of a known system (VSB, WebPlus)"
            )
        self.summary.system = self.importer.system
        self.host = start.host
        self.old_host = self.options.old_host or start.hostname
        columns = self._columns(start)
        department = None
        if not self.options.dry_run:
            department = service.department_for_import(
                slug=self.options.department_slug, name=self.importer.site_name(start)
            )
            self.summary.department = department
            for column in columns:
                slug = self.options.column_map.get(column.name) or service.column_slug(column.key)
                column.category = service.column_for_import(
                    department=department, name=column.name, slug=slug
                )
                self._redirect_column(department, column)
            if not self.importer.is_list_url(start.url):
                # The old homepage leads to the department's.
                for old_url in {start.url, urljoin(start.url, "/index.htm")}:
                    service.redirect_save(
                        host=self.old_host, old_url=old_url, department=department
                    )
        items = self._unique_items(columns)
        if self.options.max_articles is not None:
            items = items[: self.options.max_articles]
        known = service.known_file_keys(department)
        with ThreadPoolExecutor(max_workers=max(self.options.concurrency, 1)) as pool:
            jobs = pool.map(lambda pair: self._fetch(*pair, known), items)
            for done, fetched in enumerate(jobs, 1):
                self._write(department, fetched)
                self.progress(f"{done}/{len(items)} {fetched.item.url}")
        if not self.options.dry_run and self.summary.counts["articles_created"]:
            database_analyze()
        return self.summary

    def _columns(self, start) -> list[Column]:
        importer = self.importer
        start_key = importer.column_key(start.url)
        is_column = importer.is_list_url(start.url)
        pending = [(start.url, "")] if is_column else importer.column_links(start)
        seen_urls = {start.url}
        columns: dict[str, Column] = {}
        while pending:
            url, name = pending.pop(0)
            key = importer.column_key(url)
            if key in columns:
                if name and not columns[key].name:
                    columns[key].name = name
                continue
            if url in seen_urls and url != start.url:
                continue
            seen_urls.add(url)
            page = start if url == start.url else self._page(url)
            listing = importer.parse_list(page) if page else None
            if listing is None:
                continue
            column = Column(key=key, url=url, name=name or importer.column_name(page))
            columns[key] = column
            self._collect(column, listing)
            if not is_column:
                pending += [
                    link for link in importer.column_links(page) if link[0] not in seen_urls
                ]
        if is_column:
            columns = {k: c for k, c in columns.items() if k == start_key}
        for column in columns.values():
            self.summary.counts["columns"] += 1
            self.progress(f"column {column.name}: {len(column.items)} articles")
        return list(columns.values())

    def _collect(self, column: Column, listing):
        """Every page of a column's list, following the pager's links."""
        pages_seen = {column.url}
        queue = list(listing.pages)
        column.items += listing.items
        while queue:
            url = queue.pop(0)
            if url in pages_seen:
                continue
            pages_seen.add(url)
            page = self._page(url)
            more = self.importer.parse_list(page) if page else None
            if more is None:
                continue
            column.items += more.items
            queue += [u for u in more.pages if u not in pages_seen]

    def _page(self, url):
        try:
            page = self.fetcher.page(url)
        except FetchError as error:
            self.summary.problem(str(error))
            return None
        if page.status != 200 or page.tree is None:
            return None
        return page

    def _unique_items(self, columns):
        """Each article once (the first column listing it wins); others skipped, counted."""
        seen, items = set(), []
        for column in columns:
            for item in column.items:
                if urlsplit(item.url).netloc.lower() != self.host:
                    self.summary.counts["skipped_offsite"] += 1
                    continue
                if not self.importer.is_article_url(item.url):
                    self.summary.counts["skipped_not_article"] += 1
                    continue
                key = legacy_key_of_url(item.url)
                if key in seen:
                    continue
                seen.add(key)
                items.append((item, column))
        return items

    # --- one article (worker threads: no database) ---------------------------------------

    def _fetch(self, item: ListItem, column: Column, known: set[str]) -> Fetched:
        fetched = Fetched(item=item, column=column)
        try:
            page = self.fetcher.page(item.url)
            fetched.parsed = self.importer.parse_article(page)
        except NotPublished as reason:
            fetched.skipped = str(reason)
            return fetched
        except FetchError as error:
            fetched.failed = str(error)
            return fetched
        except Exception as error:  # a page that will not parse must not stop the import
            logger.warning("Cannot read %s", item.url, exc_info=True)
            fetched.failed = f"{item.url}: {error!r}"
            return fetched
        parsed = fetched.parsed
        if parsed.click_url:
            try:
                response = self.fetcher.get(parsed.click_url)
                if response.status_code == 200:
                    parsed.click_count = self.importer.parse_click_count(response.text)
            except FetchError as error:
                parsed.problems.append(str(error))
        if self.options.dry_run:
            return fetched
        for url in parsed.images:
            if service.image_key(url) in known:
                fetched.images[url] = None  # stored by an earlier run
                continue
            try:
                data, name = self.fetcher.file(url, max_bytes=settings.NEWSROOM_UPLOAD_MAX_BYTES)
                fetched.images[url] = (data, name or url.rsplit("/", 1)[-1])
            except FetchError as error:
                fetched.images[url] = str(error)
        for link in parsed.attachments:
            if link.key in known:
                fetched.files.append(service.Downloaded(key=link.key, url=link.url))
                continue
            try:
                data, name = self.fetcher.file(link.url, max_bytes=_attachment_limit())
                fetched.files.append(
                    service.Downloaded(
                        key=link.key, url=link.url, name=name or link.name, data=data
                    )
                )
            except FetchError as error:
                fetched.files.append(
                    service.Downloaded(key=link.key, url=link.url, error=str(error))
                )
        return fetched

    # --- writing (the calling thread) ------------------------------------------------------

    def _write(self, department, fetched: Fetched):
        counts = self.summary.counts
        if fetched.skipped:
            counts["skipped_unpublished"] += 1
            return
        if fetched.failed:
            counts["articles_failed"] += 1
            self.summary.problem(fetched.failed)
            return
        parsed = fetched.parsed
        fallback = parse_datetime(fetched.item.date)
        if self.options.dry_run:
            when = parsed.publish_at or fallback
            self.summary.listed.append(
                f"{fetched.column.name}\t{when:%Y-%m-%d %H:%M}\t{parsed.title}\t{parsed.url}"
                if when
                else f"{fetched.column.name}\t-\t{parsed.title}\t{parsed.url}"
            )
            counts["articles_listed"] += 1
            return
        with transaction.atomic():
            images = {}
            for url, got in fetched.images.items():
                if isinstance(got, str):
                    parsed.problems.append(got)
                    counts["images_failed"] += 1
                    images[url] = None
                    continue
                try:
                    data, name = got if got else (b"", "")
                    image = service.image_import(
                        department=department, url=url, data=data, name=name
                    )
                except UploadRejected as error:
                    parsed.problems.append(f"{url}: {error.message}")
                    counts["images_failed"] += 1
                    images[url] = None
                    continue
                images[url] = image
                counts["images_imported" if got else "images_known"] += 1
            record, outcome = service.article_import(
                department=department,
                category=fetched.column.category,
                parsed=parsed,
                host=self.old_host,
                images=images,
                files=fetched.files,
                fallback_time=fallback,
            )
        counts[f"articles_{outcome}"] += 1
        if parsed.column_id and parsed.column_id not in self.trees:
            # list.jsp?wbtreeid=… (the dynamic list) leads to the column too.
            self.trees.add(parsed.column_id)
            service.redirect_save(
                host=self.old_host,
                old_url=f"/list.jsp?wbtreeid={parsed.column_id}",
                department=department,
                category=fetched.column.category,
            )
        for file in fetched.files:
            if file.error:
                counts["attachments_failed"] += 1
            else:
                counts[
                    "attachments_imported" if file.data is not None else "attachments_known"
                ] += 1
        if record.problems:
            counts["articles_flagged"] += 1
            self.summary.problems += record.problems.splitlines()

    def _redirect_column(self, department, column: Column):
        service.redirect_save(
            host=self.old_host, old_url=column.url, department=department, category=column.category
        )


def _attachment_limit():
    from newsroom.services.attachments import max_bytes

    return max_bytes()
