"""
newsroom benchmark: seed N articles into PostgreSQL, serve them with gunicorn
(DEBUG off, persistent connections) and load every public scenario with wrk,
each reported as a share of a ceiling measured in the same run (a bare view
returning a constant 20 KB page, same gunicorn settings).

    .venv/bin/python bench/run.py --articles 10000
    .venv/bin/python bench/run.py --articles 100000 --reuse

The server side (gunicorn and PostgreSQL) is pinned to CPU 0 and wrk to CPU 1
with taskset. Results go to bench/out/<N>.json; bench/report.py turns them
into bench/RESULTS.md.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
OUT = BASE / "bench" / "out"
PYTHON = sys.executable
SERVER_CPU, LOAD_CPU = "0", "1"
ALL_CPUS = f"0-{os.cpu_count() - 1}"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "newsroom_bench")
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
NGINX_PORT = int(os.environ.get("BENCH_NGINX_PORT", "8766"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def env(**extra):
    values = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STATIC_ROOT": str(OUT / "static"),
        "DJANGO_MEDIA_ROOT": str(OUT / "media"),
        "NEWSROOM_CONTENT_STAMP": str(OUT / "content.stamp"),
        "NEWSROOM_BENCH_CEILING": "1",
        "NEWSROOM_SERVE_MEDIA": "0",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    values.pop("REDIS_URL", None)
    values.update(extra)
    return values


def manage(*args, **extra):
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE, env=env(**extra), check=True)


def psql(sql, url=PG_ADMIN_URL):
    return subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


# --- setup -------------------------------------------------------------------------------


def prepare_database(articles):
    log(f"creating database {DB_NAME}")
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    shutil.rmtree(OUT / "media", ignore_errors=True)
    manage("migrate", "--noinput", "-v0")
    log(f"seeding {articles} articles")
    started = time.perf_counter()
    manage("seed_bench", "--articles", str(articles))
    seconds = time.perf_counter() - started
    settle_database()
    return {
        "articles": articles,
        "seconds": round(seconds, 2),
        "articles_per_second": round(articles / seconds),
    }


def settle_database():
    """Vacuum and analyze, then write the dirty pages now: a checkpoint during the
    first scenarios would take the server's CPU from them."""
    psql("VACUUM ANALYZE", DB_URL)
    psql("CHECKPOINT", DB_URL)


def pin(process, cpus=SERVER_CPU):
    """Put every process of that name, all its threads, on ``cpus``."""
    pids = subprocess.run(["pgrep", "-x", process], capture_output=True, text=True).stdout
    for pid in pids.split():
        subprocess.run(["taskset", "-a", "-cp", cpus, pid], capture_output=True)


def pin_postgres():
    """Put PostgreSQL on the server's CPU (new backends inherit the postmaster's)."""
    pin("postgres")


# The machine's speed drifts during a run (a shared host): each scenario is
# compared with a ceiling measured just before it, not only with the first.
CEILING_PROBE_SECONDS = 8


def probe_ceiling(base, args):
    probe = wrk(
        base + "/bench/ceiling/", duration=CEILING_PROBE_SECONDS, connections=args.connections
    )
    return {
        "ceiling_rps": probe["requests_per_second"],
        "ceiling_requests": probe["requests"],
    }


def stored_clicks():
    return int(psql("SELECT COALESCE(SUM(click_count), 0) FROM newsroom_article", DB_URL))


def measure_clicks(base, ids, seconds, settle=None):
    """wrk's counting requests against the clicks stored in PostgreSQL meanwhile
    (after ``settle``, which moves buffered clicks there)."""
    before = stored_clicks()
    clicks = wrk(
        base + f"/click/{ids[0]}/",
        duration=seconds + 3,
        connections=64,
        script="click.lua",
        script_args=[OUT / "clicks.txt", seconds],
    )
    time.sleep(1)
    if settle is not None:
        settle()
    clicks["stored"] = stored_clicks() - before
    clicks["lost"] = clicks["clicks_sent"] - clicks["stored"]
    # Over the window as click.lua timed it, not its nominal length.
    clicks["accepted_per_second"] = round(clicks["clicks_counted"] / clicks["counting_seconds"], 1)
    return clicks


def pin_redis(cpus=SERVER_CPU):
    """Put Redis on the server's CPU, where the web workers and PostgreSQL run."""
    pin("redis-server", cpus)


class Gunicorn:
    def __init__(self, **extra_env):
        self.extra_env = extra_env
        self.process = None

    def __enter__(self):
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / "gunicorn.log", "a")
        self.process = subprocess.Popen(
            [
                "taskset",
                "-c",
                SERVER_CPU,
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--config",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(WORKERS),
            ],
            cwd=BASE,
            env=env(GUNICORN_MAX_REQUESTS="0", **self.extra_env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        return self

    def worker_pids(self):
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(pid) for pid in children]

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


class Nginx:
    """nginx with the shipped locations (deploy/nginx/locations.conf) in front of gunicorn."""

    def __enter__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
        (self.dir / "static-copy").mkdir()
        # nginx's workers drop to "nobody" unless told otherwise; the temporary
        # folder is private, so run them as the benchmark's own user when root.
        user = "user root;" if os.geteuid() == 0 else ""
        self.dir.chmod(0o755)
        conf = f"""
{user}
worker_processes 1;
worker_cpu_affinity {"01" if SERVER_CPU == "0" else "10"};
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    upstream newsroom_app {{ server 127.0.0.1:{PORT}; keepalive 32; }}
    proxy_cache_path {self.dir}/cache levels=1:2 keys_zone=newsroom:32m max_size=1g
                     inactive=10m use_temp_path=off;
    map $cookie_newsroom_staff $newsroom_staff_link {{
        default "";
        "~^([A-Za-z0-9_-]+)\\.([0-9]+)$" "$1,$2";
    }}
    server {{
        listen 127.0.0.1:{NGINX_PORT};
        set $newsroom_root {OUT};
        set $newsroom_staff_secret benchmark-only;
        include {BASE}/deploy/nginx/locations.conf;
        location /saved-copy/ {{ alias {self.dir}/static-copy/; }}
    }}
}}
"""
        (self.dir / "nginx.conf").write_text(conf)
        self.process = subprocess.Popen(
            ["nginx", "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(f"http://127.0.0.1:{NGINX_PORT}/healthz")
        return self

    def save_copy(self, path, name):
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}") as response:
            (self.dir / "static-copy" / name).write_bytes(response.read())
        return f"/saved-copy/{name}"

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


# --- load --------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url, *, duration, connections, script=None, script_args=()):
    command = [
        "taskset",
        "-c",
        LOAD_CPU,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        command += ["-s", str(BASE / "bench" / "wrk" / script)]
    command.append(url)
    if script_args:
        command += ["--", *map(str, script_args)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"raw": output}
    result["requests_per_second"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    for label, key in (("50%", "p50_ms"), ("99%", "p99_ms")):
        match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", output)
        result[key] = round(float(match[1]) * UNITS[match[2]], 2)
    requests = re.search(r"(\d+) requests in", output)
    result["requests"] = int(requests[1])
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(errors[1]) if errors else 0
    clicks = re.search(r"CLICKS sent=(\d+) counted=(\d+) window=([\d.]+)", output)
    if clicks:
        result["clicks_sent"], result["clicks_counted"] = int(clicks[1]), int(clicks[2])
        result["counting_seconds"] = float(clicks[3])
    return result


def page_facts(base, path, *, expect=200):
    """Response size and status of one request (the size the load test transfers)."""
    request = urllib.request.Request(base + path, headers={"User-Agent": "Mozilla/5.0 bench"})
    try:
        with urllib.request.urlopen(request) as response:
            return {"status": response.status, "bytes": len(response.read())}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "bytes": len(error.read())}


def queries_per_request(paths, **extra_env):
    """Count the SQL queries of each scenario's request, in-process, on the same data."""
    code = f"""
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_USER_AGENT="Mozilla/5.0 bench")
result = {{}}
for name, method, path in {json.dumps(paths)}:
    call = client.post if method == "POST" else client.get
    call(path)  # warm the navigation and most-read caches
    with CaptureQueriesContext(connection) as queries:
        call(path)
    result[name] = len(queries.captured_queries)
print(json.dumps(result))
"""
    output = subprocess.run(
        [PYTHON, "-c", code],
        cwd=BASE,
        capture_output=True,
        text=True,
        check=True,
        env=env(
            NEWSROOM_PAGE_CACHE="0",
            NEWSROOM_CLICK_WINDOW_SECONDS="0",
            DJANGO_ALLOWED_HOSTS="testserver",
            **extra_env,
        ),
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def discover(base):
    """The URLs of the scenarios, found on the seeded site."""
    import html as htmlmod

    def get(path):
        request = urllib.request.Request(base + path, headers={"User-Agent": "Mozilla/5.0 b"})
        with urllib.request.urlopen(request) as response:
            return response.read().decode()

    column = "/bench-info/news/"
    path, deep = column, None
    for _page in range(2, 401):
        match = re.search(r'rel="next" href="([^"]+)"', get(path))
        if not match:
            break
        path = column + htmlmod.unescape(match[1])
        deep = path  # page 400, or the last page of a smaller archive
    ids = psql(
        "SELECT a.id FROM newsroom_article a JOIN newsroom_category c ON c.id = a.category_id "
        "WHERE a.status = 'published' ORDER BY a.publish_at DESC LIMIT 200",
        DB_URL,
    ).split()
    return {"deep_path": deep, "article_ids": [int(i) for i in ids]}


# A common query (a topic in one title in twenty, so 5,000 matches at 100,000
# articles) and a rare one (one article's issue number).
SEARCH_QUERY = "数据科学工作坊"
RARE_QUERY = "第1234期"


def run(args):
    OUT.mkdir(parents=True, exist_ok=True)
    results = {
        "articles": args.articles,
        "workers": WORKERS,
        "duration": args.duration,
        "connections": args.connections,
        "cpus": {"server": SERVER_CPU, "load": LOAD_CPU},
    }
    if not args.reuse:
        results["seed"] = prepare_database(args.articles)
        log(f"seeded: {results['seed']}")
    else:
        # A previous run's click scenarios left tens of thousands of dead article
        # row versions; every run starts from the state a fresh seed leaves.
        log("vacuuming the reused database")
        settle_database()
    manage("collectstatic", "--noinput", "-v0")
    pin_postgres()
    base = f"http://127.0.0.1:{PORT}"
    with Gunicorn(NEWSROOM_PAGE_CACHE="0"):
        found = discover(base)
    ids = found["article_ids"]
    (OUT / "articles.txt").write_text("".join(f"/articles/{i}/\n" for i in ids))
    (OUT / "clicks.txt").write_text("".join(f"/click/{i}/\n" for i in ids))
    scenarios = [
        ("ceiling", "GET", "/bench/ceiling/", None),
        ("home", "GET", "/", None),
        ("department", "GET", "/bench-info/", None),
        ("column_page_1", "GET", "/bench-info/news/", None),
        ("column_page_400", "GET", found["deep_path"], None),
        ("article", "GET", f"/articles/{ids[0]}/", ("rotate.lua", [OUT / "articles.txt"])),
        ("search", "GET", f"/search/?q={urllib.request.quote(SEARCH_QUERY)}", None),
        ("search_rare", "GET", f"/search/?q={urllib.request.quote(RARE_QUERY)}", None),
        ("not_found", "GET", "/articles/999999999/", None),
    ]
    results["queries"] = queries_per_request(
        [(name, method, path) for name, method, path, _ in scenarios]
        + [("click", "POST", f"/click/{ids[0]}/")]
    )
    results["uncached"], results["cached"], results["nginx"] = {}, {}, {}

    with Gunicorn(NEWSROOM_PAGE_CACHE="0") as server:
        for name, _method, path, script in scenarios:
            log(f"uncached {name}")
            facts = page_facts(base, path)
            probe = probe_ceiling(base, args) if name != "ceiling" else {}
            result = wrk(
                base + path,
                duration=args.duration,
                connections=args.connections,
                script=script[0] if script else None,
                script_args=script[1] if script else (),
            )
            result.update(facts, **probe)
            results["uncached"][name] = result
        if args.pages_only:
            return finish(results, args)
        log("click endpoint")
        # As the click issue asks: 64 concurrent clients for 20 seconds.
        click_seconds = max(args.duration, 20)
        probe = probe_ceiling(base, args)
        results["uncached"]["click"] = {**measure_clicks(base, ids, click_seconds), **probe}
        rss = [memory_kb(pid) for pid in server.worker_pids()]
        results["memory"] = {
            "requests": sum(
                r["requests"] + r.get("ceiling_requests", 0) for r in results["uncached"].values()
            ),
            "worker_rss_mb": [round(kb / 1024, 1) for kb in rss],
        }

    # The high-traffic click mode: views counted in Redis, flushed to PostgreSQL
    # by flush_clicks. Redis runs on the server's CPU like PostgreSQL.
    log("click endpoint, Redis buffer")
    redis_mode = {"REDIS_URL": REDIS_URL, "NEWSROOM_CLICK_BUFFER": "redis"}
    pin_redis()
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=True, capture_output=True)
    with Gunicorn(NEWSROOM_PAGE_CACHE="0", **redis_mode):
        probe = probe_ceiling(base, args)
        clicks = measure_clicks(
            base, ids, click_seconds, settle=lambda: manage("flush_clicks", **redis_mode)
        )
        results["uncached"]["click_redis"] = {**clicks, **probe}
    results["queries"].update(
        queries_per_request([("click_redis", "POST", f"/click/{ids[0]}/")], **redis_mode)
    )
    manage("flush_clicks", **redis_mode)
    pin_redis(ALL_CPUS)  # the machine's other users get it back

    with Gunicorn(NEWSROOM_PAGE_CACHE="1"):
        for name in ("ceiling", "article", "column_page_1", "column_page_400", "department"):
            _name, _method, path, script = next(s for s in scenarios if s[0] == name)
            log(f"cached {name}")
            for warm in (OUT / "articles.txt").read_text().split() if script else [path]:
                page_facts(base, warm)
            probe = probe_ceiling(base, args) if name != "ceiling" else {}
            results["cached"][name] = wrk(
                base + path,
                duration=args.duration,
                connections=args.connections,
                script=script[0] if script else None,
                script_args=script[1] if script else (),
            )
            results["cached"][name].update(probe)
        with Nginx() as nginx:
            nginx_base = f"http://127.0.0.1:{NGINX_PORT}"
            copy = nginx.save_copy(f"/articles/{ids[0]}/", "article.html")
            log("nginx static copy")
            results["nginx"]["static_copy"] = wrk(
                nginx_base + copy, duration=args.duration, connections=args.connections
            )
            log("nginx article detail")
            results["nginx"]["article"] = wrk(
                nginx_base + f"/articles/{ids[0]}/",
                duration=args.duration,
                connections=args.connections,
                script="rotate.lua",
                script_args=[OUT / "articles.txt"],
            )
    finish(results, args)


def finish(results, args):
    for group in ("uncached", "cached", "nginx"):
        for name, result in results[group].items():
            result.pop("raw", None)
            if result["non_2xx"] and name != "not_found":
                # A scenario answering errors would measure the error page: say so loudly.
                log(f"WARNING: {group} {name}: {result['non_2xx']} non-2xx responses")
    path = OUT / f"{args.articles}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    # Every run is kept too, for report.py --spread.
    runs = OUT / "runs"
    runs.mkdir(exist_ok=True)
    (runs / f"{args.articles}-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(path.read_text())
    log(f"wrote {path}")
    pin("postgres", ALL_CPUS)  # as for Redis: the tests and other users get every core back


def memory_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the uncached pages (no click, cached or nginx scenarios): a quicker "
        "comparison of a change to the read path",
    )
    run(parser.parse_args())
