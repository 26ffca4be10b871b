"""
The visitor's address behind nginx, and the cookie that lets nginx recognise staff.

Behind a reverse proxy every request comes from the proxy (127.0.0.1), so the
click counter, django-axes and the logs would see one visitor. nginx appends
the address it was connected from to ``X-Forwarded-For``; that header is
believed only when the connection comes from an address in
``NEWSROOM_TRUSTED_PROXIES`` (none by default), and only its entries added by
trusted proxies: walking it from the right, the first address that is not a
trusted proxy is the client's. Whatever a client writes into the header itself
stays to the left of that and is ignored.

nginx's 3-second micro-cache is skipped for staff, whose pages must be fresh.
nginx cannot read Django's sessions, so a signed-in staff member also gets a
``newsroom_staff`` cookie that nginx's ``secure_link`` module can check: an
MD5 of its expiry time and a secret shared with nginx
(``NEWSROOM_STAFF_COOKIE_SECRET``). A made-up cookie fails the check and is
served from the cache like any anonymous request.
"""

import base64
import hashlib
import ipaddress
import time
from functools import lru_cache

from django.conf import settings

STAFF_COOKIE = "newsroom_staff"
STAFF_COOKIE_SECONDS = 12 * 3600


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in network for network in trusted_networks(tuple(settings.NEWSROOM_TRUSTED_PROXIES))
    )


def client_address(remote_addr: str, forwarded_for: str) -> str:
    """The client's address for a connection from ``remote_addr`` with that header."""
    if not forwarded_for or not is_trusted(remote_addr):
        return remote_addr
    address = remote_addr
    for entry in reversed(forwarded_for.split(",")):
        entry = entry.strip()
        try:
            ipaddress.ip_address(entry)
        except ValueError:
            break  # a malformed entry: stop at the last hop that was sure
        address = entry
        if not is_trusted(entry):
            break
    return address


def request_client_address(request) -> str:
    """For django-axes (AXES_CLIENT_IP_CALLABLE): the address the middleware settled on."""
    return request.META.get("REMOTE_ADDR", "")


class ClientAddressMiddleware:
    """
    Sets ``REMOTE_ADDR`` to the client's address before anything reads it.
    ``request.META`` is the WSGI environ, so gunicorn's access log (``%(h)s``)
    shows it too; the proxy's own address is kept in ``NEWSROOM_PROXY_ADDR``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        remote = meta.get("REMOTE_ADDR", "")
        client = client_address(remote, meta.get("HTTP_X_FORWARDED_FOR", ""))
        if client != remote:
            meta["NEWSROOM_PROXY_ADDR"] = remote
            meta["REMOTE_ADDR"] = client
        return self.get_response(request)


def staff_cookie_value(expires: int, secret: str) -> str:
    """
    ``hash.expires``, checked by nginx's ``secure_link_md5 "$secure_link_expires$secret"``
    (the nginx site turns the dot into the comma secure_link wants: a comma in a
    cookie value would make Django quote it, and nginx would not unquote it).
    """
    digest = hashlib.md5(f"{expires}{secret}".encode(), usedforsecurity=False).digest()
    return f"{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}.{expires}"


class StaffCacheCookieMiddleware:
    """Gives signed-in staff the ``newsroom_staff`` cookie, and takes it from everyone else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        secret = settings.NEWSROOM_STAFF_COOKIE_SECRET
        has_cookie = STAFF_COOKIE in request.COOKIES
        # Anonymous visitors without cookies never touch the session.
        if not secret or not (has_cookie or settings.SESSION_COOKIE_NAME in request.COOKIES):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            if not self.fresh(request.COOKIES.get(STAFF_COOKIE, ""), secret):
                expires = int(time.time()) + STAFF_COOKIE_SECONDS
                response.set_cookie(
                    STAFF_COOKIE,
                    staff_cookie_value(expires, secret),
                    max_age=STAFF_COOKIE_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        elif has_cookie:
            response.delete_cookie(STAFF_COOKIE, samesite="Lax")
        return response

    @staticmethod
    def fresh(value: str, secret: str) -> bool:
        """A valid cookie with more than half its life left."""
        _hash, _dot, expires = value.rpartition(".")
        if not expires.isdigit():
            return False
        left = int(expires) - time.time()
        return left > STAFF_COOKIE_SECONDS / 2 and value == staff_cookie_value(int(expires), secret)
