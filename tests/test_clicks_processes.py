"""
Clicks from two separate server processes add up exactly (PostgreSQL; Redis mode too).

Starts two gunicorn servers on the test database, fires 200 concurrent views
at one article through both, and checks the stored count.
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
from tests.test_clicks import BROWSER_UA
from tests.test_clicks_buffer import TEST_REDIS_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

VIEWS = 200


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_server(port, extra_env, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "test-secret-key-for-two-processes",
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
def test_two_processes_count_exactly(mode, tmp_path):
    """200 concurrent views split over two server processes are all stored."""
    extra = {}
    if mode == "redis":
        import redis

        client = redis.Redis.from_url(TEST_REDIS_URL)
        try:
            client.ping()
        except redis.RedisError:
            pytest.skip("Redis is not running")
        client.flushdb()
        extra = {"REDIS_URL": TEST_REDIS_URL, "NEWSROOM_CLICK_BUFFER": "redis"}
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
