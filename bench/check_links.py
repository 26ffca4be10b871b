"""
Benchmark of ``manage.py check_links``: 10,000 links against local servers.

The servers run in a process of their own (tests/linkserver.py), 50 ports
standing for 50 hosts, and count the requests in flight overall and per port.
The links: on 46 hosts, working pages (some after a redirect, some refusing
HEAD, some answering after 0.3 s) and 404s; 2 hosts whose pages all answer
after 10 s (past the 5 s timeout); 2 hosts on ports nobody listens on
(refused); 2 unknown host names (under .invalid, answered as unknown without
a resolver). The check runs in this process on a fresh SQLite database.

    .venv/bin/python bench/check_links.py [--links 10000]

It fails (exit 1) past 2 minutes or if the servers ever saw more than 2
requests at once on a port or 16 in all.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIVE_HOSTS = 46
SLOW_HOSTS = 2
LINKS_PER_ARTICLE = 10


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=10_000)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="newsroom-linkbench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["NEWSROOM_LINK_SITE_HOSTS"] = "news.example.edu.cn"
    os.environ["NEWSROOM_LINK_TIMEOUT"] = "5"
    os.environ["NEWSROOM_CONTENT_STAMP"] = f"{folder}/content.stamp"

    server = subprocess.Popen(
        [sys.executable, "-m", "tests.linkserver", str(LIVE_HOSTS + SLOW_HOSTS)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ports = json.loads(server.stdout.readline())
        run(args.links, ports)
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def refused_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def links_for(count, ports):
    live, slow = ports[:LIVE_HOSTS], ports[LIVE_HOSTS:]
    dead = [f"http://127.0.0.1:{refused_port()}" for _ in range(2)]
    unknown = ["http://gone-1.example.invalid", "http://gone-2.example.invalid"]
    urls = []
    for n in range(count):
        kind = n % 100
        if kind < 2:
            base = f"http://127.0.0.1:{slow[n % len(slow)]}"
            urls.append(f"{base}/slow?s=10&n={n}")
        elif kind < 4:
            urls.append(f"{dead[n % 2]}/page/{n}")
        elif kind < 6:
            urls.append(f"{unknown[n % 2]}/page/{n}")
        else:
            base = f"http://127.0.0.1:{live[n % len(live)]}"
            if kind < 11:
                urls.append(f"{base}/missing/{n}")
            elif kind < 14:
                urls.append(f"{base}/redirect?n={n}")
            elif kind < 16:
                urls.append(f"{base}/no-head?n={n}")
            elif kind < 19:
                urls.append(f"{base}/slow?s=0.3&n={n}")
            else:
                urls.append(f"{base}/ok/{n}")
    return urls


def run(count, ports):
    import django

    django.setup()
    from django.core.management import call_command

    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        # No resolver is asked: the bench stays off the network.
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    call_command("migrate", verbosity=0)
    from newsroom.models import Article, Category, Department

    department = Department.objects.create(name="基准学院", slug="bench")
    column = Category.objects.create(department=department, name="新闻", slug="news")
    urls = links_for(count, ports)
    articles = []
    for start in range(0, len(urls), LINKS_PER_ARTICLE):
        body = "".join(
            f'<p><a href="{url}">链接</a></p>' for url in urls[start : start + LINKS_PER_ARTICLE]
        )
        articles.append(
            Article(
                category=column,
                title=f"文章{start}",
                body=body,
                status=Article.Status.PUBLISHED,
            )
        )
    # bulk_create bypasses save(): the bodies are already clean.
    Article.objects.bulk_create(articles, batch_size=500)

    out, err = open(os.devnull, "w"), _Capture()
    started = time.monotonic()
    call_command("check_links", "--format", "csv", stdout=out, stderr=err)
    seconds = time.monotonic() - started

    with urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/__stats", timeout=5) as answer:
        stats = json.loads(answer.read())
    from newsroom.models import Link

    broken = Link.objects.broken().count()
    reasons = {}
    for reason in Link.objects.broken().values_list("reason", flat=True):
        reasons[reason] = reasons.get(reason, 0) + 1
    result = {
        "links": len(urls),
        "seconds": round(seconds, 1),
        "server_requests": stats["requests"],
        "max_in_flight": stats["max_in_flight"],
        "max_per_host": stats["max_per_port"],
        "broken": broken,
        "reasons": dict(sorted(reasons.items())),
        "summary": err.text.strip(),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    ok = seconds < 120 and stats["max_per_port"] <= 2 and stats["max_in_flight"] <= 16
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


class _Capture:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


if __name__ == "__main__":
    main()
