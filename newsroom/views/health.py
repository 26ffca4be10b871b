import logging
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def redis_client(url):
    """
    One client, with its connection pool, per Redis URL and process: load
    balancers probe every few seconds, and a new client per probe opened and
    closed a connection each time.
    """
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when the database (and Redis, if used) answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # any failure means "not healthy", never a 500
        logger.warning("Health check: database: %s", error)
        checks["database"] = "error"
    if settings.REDIS_URL:
        try:
            redis_client(settings.REDIS_URL).ping()
            checks["redis"] = "ok"
        except Exception as error:
            logger.warning("Health check: redis: %s", error)
            checks["redis"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
