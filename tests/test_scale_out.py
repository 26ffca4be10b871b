"""
Scale-out: two gunicorn servers on different ports sharing PostgreSQL and Redis.

Clicks sent to both add up exactly (with the database or the Redis buffer),
and a change made through one server replaces the cached page on the other at
once (the content version lives in Redis).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from newsroom.models import Article, DailyClickCount
from tests.factories import ArticleFactory
from tests.utils import BROWSER_UA, database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

VIEWS = 200


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port, extra_env, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-secret-key-for-two-processes-0123456789-abcdefghij",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_MEDIA_ROOT": str(tmp_path),
        **extra_env,
    }
    log = open(tmp_path / f"gunicorn-{port}.log", "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/click/0/beacon.gif", timeout=1)
        except urllib.error.HTTPError:
            return process  # any HTTP answer means the server is up
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError((tmp_path / f"gunicorn-{port}.log").read_text())


def get_page(port, path):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"User-Agent": BROWSER_UA}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("X-Cache"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, None, ""


def post_view(port, article_id, n):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/click/{article_id}/",
        method="POST",
        data=b"",
        headers={"User-Agent": f"{BROWSER_UA} visitor-{n}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


@pytest.mark.parametrize("mode", ["database", "redis"])
@pytest.mark.django_db(transaction=True)
def test_two_processes_count_exactly(mode, tmp_path, request):
    """200 concurrent views split over two server processes are all stored."""
    extra = {}
    if mode == "redis":
        redis_db = request.getfixturevalue("redis_db")
        extra = {"REDIS_URL": redis_db.url, "NEWSROOM_CLICK_BUFFER": "redis"}
    article = ArticleFactory()
    ports = [free_port(), free_port()]
    servers = [start_server(port, extra, tmp_path) for port in ports]
    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            statuses = list(
                pool.map(lambda n: post_view(ports[n % 2], article.pk, n), range(VIEWS))
            )
        assert statuses == [200] * VIEWS
        if mode == "redis":
            subprocess.run(
                [sys.executable, "manage.py", "flush_clicks"],
                check=True,
                cwd=Path(settings.BASE_DIR),
                capture_output=True,
                env={**os.environ, "DATABASE_URL": database_url(), **extra},
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    assert Article.objects.values_list("click_count", flat=True).get(pk=article.pk) == VIEWS
    assert DailyClickCount.objects.get(article=article).count == VIEWS


@pytest.mark.django_db(transaction=True)
def test_a_change_through_one_server_shows_on_the_other_at_once(tmp_path, settings, redis_db):
    """A cached page on server B is replaced as soon as server A's request changes content."""
    # DEBUG on only so that pages render without collectstatic's manifest.
    extra = {"REDIS_URL": redis_db.url, "NEWSROOM_PAGE_CACHE": "1", "DJANGO_DEBUG": "1"}
    article = ArticleFactory(title="第一版标题")
    ports = [free_port(), free_port()]
    servers = [start_server(port, extra, tmp_path) for port in ports]
    path = article.get_absolute_url()
    try:
        for port in ports:
            get_page(port, path)
        status, cache_state, text = get_page(ports[1], path)
        assert (status, cache_state) == (200, "hit") and "第一版标题" in text
        # The change is made by a separate process with the servers' settings, as an
        # editor's save on server A would be (the test process itself uses no Redis).
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                f"from newsroom.models import Article; a = Article.objects.get(pk={article.pk}); "
                "a.title = '第二版标题'; a.save()",
            ],
            check=True,
            cwd=Path(settings.BASE_DIR),
            capture_output=True,
            env={**os.environ, "DATABASE_URL": database_url(), **extra},
        )
        status, cache_state, text = get_page(ports[1], path)
        assert status == 200 and "第二版标题" in text and cache_state == "miss"
        assert "第二版标题" in get_page(ports[0], path)[2]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
