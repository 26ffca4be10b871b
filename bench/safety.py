"""
Content-safety (内容安全) benchmark.

    .venv/bin/python bench/safety.py article
        One 20,000-character article against a 20,000-entry word list plus every
        personal-information detector (the matcher built in memory; no database rows).
    DATABASE_URL=postgres://… .venv/bin/python bench/safety.py scan
        The archive scan over every published article of that database (seed it with
        ``manage.py seed_bench --articles 100000``), with the process's memory sampled.

Figures and their discussion: bench/RESULTS.md.
"""

import importlib
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from newsroom.services.safety import article_check  # noqa: E402
from newsroom.services.safety.matcher import Matcher  # noqa: E402
from newsroom.services.safety.scan import ScanSummary, scan_archive  # noqa: E402

SEED = 20261205
LIST_SIZE = 20_000
ARTICLE_CHARS = 20_000
SENTENCES = (
    "为深入贯彻落实学校第十五次党代会精神，学院于近日召开新学期教学工作会议。",
    "会议由院长主持，全体教职工参加，会议部署了本学期人才培养和学科建设重点工作。",
    "学院2023级本科生共计312人，其中获得国家奖学金的同学有8人，名单已在学院网站公示。",
    "报告会在图书馆报告厅举行，联系电话010-62751234，会议时间为2024年5月12日14:30。",
    "根据教高〔2023〕15号文件精神，学院组织开展本科教学质量评估自评工作，订单号202305121234567890。",
    "我们要再接再励，继续发扬实事求是的作风，打造最佳的育人环境。",
    "获奖学生王同学，身份证号11010519491231002X，手机138 1234 5678，请于本周五前确认。",
    "学院与企业签署校企合作协议，双方将在实习实践、联合培养等方面开展深入合作。",
)


def synthetic_entries(count):
    """Word-list entries: the starter lists plus made-up 2–4 character words."""
    starter = importlib.import_module("newsroom.migrations.0025_safety_starter_lists")
    entries = [
        (wrong, "correction", "易错词", right)
        for wrong, right in starter.pairs(starter.MISSPELLINGS)
    ]
    entries += [(word, "caution", "广告法极限词", "") for word in starter.ADVERTISING_WORDS.split()]
    rng = random.Random(SEED)
    # Common CJK characters: made-up words over them hit real text now and then,
    # as a large list does.
    pool = [chr(code) for code in range(0x4E00, 0x4E00 + 3500)]
    words = {entry[0] for entry in entries}
    while len(entries) < count:
        word = "".join(rng.choice(pool) for _ in range(rng.choice((2, 3, 3, 4))))
        if word not in words:
            words.add(word)
            level = rng.choice(("blocked", "caution", "caution", "correction"))
            entries.append((word, level, "测试", "建议" if level == "correction" else ""))
    return entries


def article_text(chars):
    rng = random.Random(SEED)
    parts, size = [], 0
    while size < chars:
        sentence = rng.choice(SENTENCES)
        parts.append(f"<p>{sentence}</p>")
        size += len(sentence)
    return "".join(parts)


def bench_article(runs=200):
    entries = synthetic_entries(LIST_SIZE)
    started = time.perf_counter()
    matcher = Matcher(entries, [("学号", r"(?<!\d)20\d{8}(?!\d)")])
    built = time.perf_counter() - started
    body = article_text(ARTICLE_CHARS)
    article = SimpleNamespace(
        pk=None,
        title="学院召开新学期教学工作会议",
        summary="学院召开新学期教学工作会议，部署本学期重点工作。",
        body=body,
        author="张老师",
        source="学院办公室",
        photographer="",
        responsible_editor="李老师",
        cover_id=None,
    )
    report = article_check(article=article, attachments=False, matcher=matcher)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        article_check(article=article, attachments=False, matcher=matcher)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    text_chars = sum(len(s) for s in body.replace("<p>", "").split("</p>"))
    print(f"word list: {len(entries)} entries; automaton built in {built * 1000:.0f} ms")
    print(f"article: {text_chars} characters of text ({len(body)} with markup)")
    print(f"hits: {len(report.hits)} ({len(report.blocking)} blocking)")
    print(
        f"check, {runs} runs: median {statistics.median(timings):.2f} ms, "
        f"min {timings[0]:.2f} ms, p95 {timings[int(runs * 0.95) - 1]:.2f} ms"
    )


def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def bench_scan():
    samples, done = [], threading.Event()

    def sample():
        while not done.is_set():
            samples.append((summary.articles, rss_kib()))
            time.sleep(0.25)

    summary = ScanSummary()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for _result in scan_archive(summary=summary):
        pass
    done.set()
    sampler.join()
    samples.append((summary.articles, rss_kib()))
    print(
        f"scan: {summary.articles} published articles, {summary.attachments} attachments, "
        f"{summary.hits} hits in {summary.seconds:.1f} s = "
        f"{summary.articles / summary.seconds:.0f} articles/s"
    )
    marks = [s for s in samples if s[0]]
    step = max(1, len(marks) // 8)
    print(
        "memory (articles scanned: RSS MiB): "
        + ", ".join(f"{n}: {kib / 1024:.0f}" for n, kib in marks[::step] + marks[-1:])
    )


if __name__ == "__main__":
    {"article": bench_article, "scan": bench_scan}[
        sys.argv[1] if len(sys.argv) > 1 else "article"
    ]()
