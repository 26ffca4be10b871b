"""The client's address behind a trusted proxy; the staff cookie nginx checks; mail settings."""

import socket
import threading
import time

import pytest
from django.core import checks
from django.test import Client
from django.urls import reverse

from newsroom import proxies
from newsroom.checks import mail_can_be_sent
from tests.factories import ArticleFactory, StaffFactory
from tests.utils import BROWSER_UA, click_count, run_settings


@pytest.mark.parametrize(
    "trusted,remote,forwarded,expected",
    [
        ([], "127.0.0.1", "10.0.0.2", "127.0.0.1"),  # default: no proxy is trusted
        (["127.0.0.1"], "10.9.9.9", "10.0.0.2", "10.9.9.9"),  # header from a stranger
        (["127.0.0.1"], "127.0.0.1", "10.0.0.2", "10.0.0.2"),
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 10.0.0.2", "10.0.0.2"),  # client's own guess
        (["127.0.0.1", "10.8.0.0/16"], "127.0.0.1", "6.6.6.6, 10.0.0.2, 10.8.1.1", "10.0.0.2"),
        (["127.0.0.1"], "127.0.0.1", "10.0.0.2, not-an-address", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address(settings, trusted, remote, forwarded, expected):
    """X-Forwarded-For counts only from trusted proxies, read from the right."""
    settings.NEWSROOM_TRUSTED_PROXIES = trusted
    assert proxies.client_address(remote, forwarded) == expected


def test_bad_trusted_proxy_setting_is_refused():
    """A typo in NEWSROOM_TRUSTED_PROXIES stops the start, naming the entry."""
    result = run_settings(
        {"NEWSROOM_TRUSTED_PROXIES": "127.0.0.1,localhost"}, "import config.settings"
    )
    assert result.returncode != 0
    assert "'localhost' is not an IP address" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("trusted,expected", [([], 1), (["127.0.0.1"], 3)])
def test_cookieless_clicks_behind_a_proxy_count_per_client(settings, trusted, expected):
    """Three clients through one proxy count three times only when the proxy is trusted."""
    settings.NEWSROOM_TRUSTED_PROXIES = trusted
    article = ArticleFactory()
    url = reverse("newsroom:article-click", args=[article.pk])
    for client in ("10.0.0.2", "10.0.0.3", "10.0.0.4"):
        Client(REMOTE_ADDR="127.0.0.1").post(
            url, HTTP_USER_AGENT=BROWSER_UA, HTTP_X_FORWARDED_FOR=client
        )
    assert click_count(article) == expected


@pytest.mark.django_db
def test_login_lockout_is_per_client_behind_the_proxy(settings):
    """An attacker locking a user name through the proxy locks it for their address only."""
    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]
    StaffFactory(username="editor", password="right-password-123")
    url = reverse("admin:login")
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.6.6.6")
    for _ in range(5):
        attacker.post(url, {"username": "editor", "password": "wrong"})
    locked = attacker.post(url, {"username": "editor", "password": "right-password-123"})
    assert locked.status_code == 429
    editor = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2")
    response = editor.post(url, {"username": "editor", "password": "right-password-123"})
    assert response.status_code == 302
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.6.6.6"}


@pytest.mark.django_db
def test_staff_get_a_cookie_nginx_can_check_and_others_lose_it(settings):
    """Signed-in staff get newsroom_staff (hash.expiry); a visitor's made-up one is removed."""
    settings.NEWSROOM_STAFF_COOKIE_SECRET = "shared-with-nginx"
    client = Client()
    client.force_login(StaffFactory())
    response = client.get("/")
    value = response.cookies[proxies.STAFF_COOKIE].value
    digest, expires = value.split(".")
    assert value == proxies.staff_cookie_value(int(expires), "shared-with-nginx")
    assert int(expires) > time.time() + 11 * 3600
    assert response.cookies[proxies.STAFF_COOKIE]["httponly"]
    # Sent as is, not quoted: nginx compares the raw cookie.
    assert response.cookies[proxies.STAFF_COOKIE].coded_value == value
    # A fresh cookie is not sent again on every page.
    assert proxies.STAFF_COOKIE not in client.get("/").cookies
    visitor = Client()
    visitor.cookies[proxies.STAFF_COOKIE] = value + "0"
    gone = visitor.get("/")
    assert gone.cookies[proxies.STAFF_COOKIE].value == ""


@pytest.mark.django_db
def test_anonymous_pages_do_not_touch_the_session(settings, django_assert_num_queries):
    """The staff cookie costs a cookie-less visitor nothing: no session, no Vary: Cookie."""
    settings.NEWSROOM_STAFF_COOKIE_SECRET = "shared-with-nginx"
    response = Client().get("/robots.txt")
    assert proxies.STAFF_COOKIE not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


# --- mail --------------------------------------------------------------------------


def test_mail_settings_come_from_the_environment():
    """EMAIL_HOST and friends are read; EMAIL_HOST alone switches to SMTP."""
    code = (
        "import config.settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, "
        "s.DEFAULT_FROM_EMAIL)"
    )
    env = {
        "EMAIL_HOST": "smtp.example.edu.cn",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "news",
        "EMAIL_HOST_PASSWORD": "pw",
        "EMAIL_USE_TLS": "1",
        "DEFAULT_FROM_EMAIL": "news@example.edu.cn",
    }
    assert run_settings(env, code).stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.edu.cn",
        "587",
        "news",
        "pw",
        "True",
        "False",
        "news@example.edu.cn",
    ]
    both = run_settings({**env, "EMAIL_USE_SSL": "1"}, code)
    assert both.returncode != 0
    assert "exclude each other" in both.stderr


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A minimal SMTP server on a free port: greets, answers EHLO, says goodbye."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"220 test ESMTP\r\n")
                for line in connection.makefile("rb"):
                    if line.upper().startswith((b"EHLO", b"HELO")):
                        connection.sendall(b"250 test\r\n")
                    elif line.upper().startswith(b"QUIT"):
                        connection.sendall(b"221 bye\r\n")
                        break
                    else:
                        connection.sendall(b"250 ok\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def test_deploy_check_reports_mail_that_cannot_be_sent(settings):
    """check --deploy signs in to the SMTP server and reports a refused connection."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    errors = mail_can_be_sent()
    assert [error.id for error in errors] == ["newsroom.E001"]
    assert f"127.0.0.1:{settings.EMAIL_PORT}" in errors[0].msg
    assert "EMAIL_HOST" in errors[0].hint
    assert "newsroom.E001" in {e.id for e in checks.run_checks(include_deployment_checks=True)}


def test_deploy_check_passes_when_mail_can_be_sent(settings, smtp_server):
    """With a server that answers, the mail check is silent."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server
    assert mail_can_be_sent() == []


@pytest.mark.django_db
def test_the_server_log_sees_the_client_address(settings):
    """The WSGI environ gunicorn's access log reads (%(h)s) holds the client's address after."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    settings.NEWSROOM_TRUSTED_PROXIES = ["127.0.0.1"]
    environ = RequestFactory()._base_environ(
        PATH_INFO="/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.2"
    )
    WSGIHandler()(environ, lambda status, headers: None)
    assert environ["REMOTE_ADDR"] == "10.0.0.2"
    assert environ["NEWSROOM_PROXY_ADDR"] == "127.0.0.1"
