"""
The shipped nginx site (deploy/nginx/newsroom.conf with locations.conf) in
front of the live Django server: attachments are unreachable under every
spelling, static and media come from disk, the micro-cache is skipped only by
staff, and the client's address reaches Django.

The site file is used as shipped, with only its machine-specific values
replaced (ports, certificate, folders, the upstream); every replacement must
find its text, so a change of the shipped file's shape fails here.
"""

import http.client
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from newsroom.models import Article
from newsroom.proxies import STAFF_COOKIE, staff_cookie_value
from tests.factories import ArticleFactory, attach_pdf
from tests.utils import BROWSER_UA, MARKER, spellings, unpublished_articles

BASE = Path(__file__).resolve().parent.parent
DEPLOY = BASE / "deploy" / "nginx"
HOST = "news.example.edu.cn"
SECRET = "nginx-test-staff-secret"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not shutil.which("nginx") or not shutil.which("openssl"),
        reason="needs nginx and openssl (apt-get install nginx-light openssl; .ci/run does)",
    ),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def replace(text, old, new):
    assert old in text, f"the shipped nginx site no longer contains {old!r}"
    return text.replace(old, new)


class Nginx:
    def __init__(self, root: Path, upstream_port: int):
        self.root, self.dir = root, root / "nginx"
        self.dir.mkdir()
        self.port, self.http_port = free_port(), free_port()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", f"/CN={HOST}", "-keyout", self.dir / "key.pem"]
            + ["-out", self.dir / "cert.pem"],
            check=True,
            capture_output=True,
        )
        (self.dir / "secrets.conf").write_text(f'set $newsroom_staff_secret "{SECRET}";\n')
        site = (DEPLOY / "newsroom.conf").read_text()
        for old, new in [
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
            ("/var/cache/nginx/newsroom", str(self.dir / "cache")),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;", ""),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.port} ssl;"),
            ("listen [::]:443 ssl http2;", ""),
            ("/etc/ssl/certs/news.example.edu.cn.pem", str(self.dir / "cert.pem")),
            ("/etc/ssl/private/news.example.edu.cn.key", str(self.dir / "key.pem")),
            ("set $newsroom_root /srv/newsroom;", f"set $newsroom_root {root};"),
            ("/etc/nginx/newsroom-secrets.conf", str(self.dir / "secrets.conf")),
            ("/srv/newsroom/app/deploy/nginx/locations.conf", str(DEPLOY / "locations.conf")),
        ]:
            site = replace(site, old, new)
        (self.dir / "site.conf").write_text(site)
        (self.dir / "nginx.conf").write_text(
            f"""
user root;
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.dir}/access.log;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    include {self.dir}/site.conf;
}}
"""
        )

    def __enter__(self):
        self.process = subprocess.Popen(
            ["nginx", "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)

    def request(self, method, path, *, headers=None, source="127.0.0.1", body=None):
        """(status, headers, body) of one HTTPS request from the given loopback address."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=context, source_address=(source, 0), timeout=10
        )
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in {"Host": HOST, **(headers or {})}.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture
def django_server():
    """
    Django's own WSGI handler on a free port. Not pytest-django's live_server:
    it puts a test-only /media/ handler in front of the project's URLs.
    """
    server = make_server(
        "127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def nginx(settings, django_server, tmp_path, media_root, private_root):
    """The shipped site on free ports, serving tmp_path's media/ and staticfiles/."""
    settings.ALLOWED_HOSTS = [HOST]
    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.NEWSROOM_STAFF_COOKIE_SECRET = SECRET
    media_root.mkdir(parents=True, exist_ok=True)
    private_root.mkdir(parents=True, exist_ok=True)
    (tmp_path / "staticfiles").mkdir(exist_ok=True)
    with Nginx(tmp_path, django_server) as server:
        yield server


@pytest.mark.parametrize("state", ["draft", "scheduled", "taken down"])
def test_no_spelling_reaches_an_attachment_through_nginx(nginx, state, media_root, private_root):
    """Anonymous requests through nginx, for every spelling and a symlink, get no file."""
    attachment = attach_pdf(unpublished_articles()[state], marker=MARKER)
    (media_root / "uploads").mkdir()
    (media_root / "linked").symlink_to(private_root, target_is_directory=True)
    (media_root / "file.pdf").symlink_to(private_root / attachment.file.name)
    paths = [
        *spellings(attachment.file.name),
        f"/media/linked/{attachment.file.name}",
        "/media/file.pdf",
        attachment.get_absolute_url(),
    ]
    for path in paths:
        status, _headers, body = nginx.request("GET", path)
        assert status in (301, 400, 403, 404), (path, status)
        assert MARKER not in body, path


def test_published_attachment_downloads_through_nginx(nginx):
    """The download view still serves a published article's file through nginx."""
    attachment = attach_pdf(ArticleFactory(), marker=MARKER)
    status, headers, body = nginx.request("GET", attachment.get_absolute_url())
    assert status == 200
    assert MARKER in body
    assert headers["Content-Disposition"].startswith("attachment;")


def test_static_and_media_come_from_disk(nginx, tmp_path, media_root):
    """nginx serves static files (a year, immutable) and pictures itself, and hides its version."""
    (tmp_path / "staticfiles" / "site.0123abcd.css").write_text("body{}")
    (media_root / "uploads").mkdir()
    (media_root / "uploads" / "photo.jpg").write_bytes(b"\xff\xd8\xff picture")
    # Django's live server knows neither file: a 200 can only come from nginx's disk.
    status, headers, body = nginx.request("GET", "/static/site.0123abcd.css")
    assert (status, body) == (200, b"body{}")
    assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert headers["Server"] == "nginx"
    status, headers, body = nginx.request("GET", "/media/uploads/photo.jpg")
    assert status == 200 and body.endswith(b"picture")
    assert headers["X-Content-Type-Options"] == "nosniff"


def cache_status(nginx, path, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}
    status, response_headers, _body = nginx.request("GET", path, headers=headers)
    assert status == 200, (path, status)
    return response_headers.get("X-Micro-Cache")


def test_micro_cache_is_skipped_only_by_real_staff(nginx):
    """Made-up csrftoken, sessionid or staff cookies are served from the cache; staff's is not."""
    path = f"/articles/{ArticleFactory().pk}/"
    assert cache_status(nginx, path) == "MISS"
    assert cache_status(nginx, path) == "HIT"
    expires = int(time.time()) + 3600
    for cookie in [
        "csrftoken=anything",
        "sessionid=made-up",
        "messages=x",
        f"{STAFF_COOKIE}=made-up.{expires}",
        f"{STAFF_COOKIE}={staff_cookie_value(expires, 'another-secret')}",
        f"{STAFF_COOKIE}={staff_cookie_value(int(time.time()) - 10, SECRET)}",  # expired
    ]:
        assert cache_status(nginx, path, cookie) == "HIT", cookie
    staff = f"{STAFF_COOKIE}={staff_cookie_value(expires, SECRET)}"
    assert cache_status(nginx, path, staff) == "BYPASS"
    status, headers, _body = nginx.request("GET", "/admin/login/")
    assert status == 200 and "X-Micro-Cache" not in headers


def test_the_cookie_django_gives_staff_skips_the_cache(nginx, client):
    """The newsroom_staff cookie Django sets on a staff page is one nginx accepts."""
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    # As a browser sends it back: the coded (possibly quoted) value.
    value = client.get("/admin/", HTTP_HOST=HOST).cookies[STAFF_COOKIE].coded_value
    path = f"/articles/{ArticleFactory().pk}/"
    cache_status(nginx, path)
    assert cache_status(nginx, path, f"{STAFF_COOKIE}={value}") == "BYPASS"


def click(nginx, article, source, forwarded=None):
    headers = {"User-Agent": BROWSER_UA}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    path = reverse("newsroom:article-click", args=[article.pk])
    status, _headers, _body = nginx.request("POST", path, headers=headers, source=source, body=b"")
    assert status == 200


def clicks(article):
    return Article.objects.values_list("click_count", flat=True).get(pk=article.pk)


def test_clicks_behind_nginx_count_each_client(nginx):
    """Three cookie-less clients from three addresses count three times through nginx."""
    article = ArticleFactory()
    for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        click(nginx, article, source)
    assert clicks(article) == 3
    click(nginx, article, "127.0.0.3")  # the same client again: not counted
    assert clicks(article) == 3


def test_a_client_cannot_claim_another_address_through_nginx(nginx):
    """A made-up X-Forwarded-For stays to the left of nginx's entry and is ignored."""
    article = ArticleFactory()
    click(nginx, article, "127.0.0.2", forwarded="127.0.0.3")
    click(nginx, article, "127.0.0.3")
    assert clicks(article) == 2


def test_without_trusted_proxies_every_client_is_nginx(nginx, settings):
    """By default (no trusted proxy) the header is ignored: everyone is 127.0.0.1."""
    settings.NEWSROOM_TRUSTED_PROXIES = []
    article = ArticleFactory()
    for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
        click(nginx, article, source)
    assert clicks(article) == 1


def test_trace_is_refused_by_nginx(nginx):
    """TRACE through the site never reaches a page."""
    status, _headers, _body = nginx.request("TRACE", "/")
    assert status == 405


def test_micro_cache_key_ignores_accept_language(nginx):
    """Pages speak their department's language, so nginx keeps one copy for every browser."""
    from newsroom.models import Article

    article = ArticleFactory()
    assert Article.objects.filter(pk=article.pk).exists()
    path = f"/articles/{article.pk}/"
    status, headers, _body = nginx.request("GET", path, headers={"Accept-Language": "en"})
    assert headers.get("X-Micro-Cache") == "MISS"
    status, headers, body = nginx.request("GET", path, headers={"Accept-Language": "zh-CN"})
    assert headers.get("X-Micro-Cache") == "HIT"
    assert "当前位置".encode() in body
