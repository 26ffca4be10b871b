"""
Instructions the web process executes per request, counted by valgrind.

    .venv/bin/python bench/instructions.py GET /articles/10000/
    .venv/bin/python bench/instructions.py POST /click/10000/
    .venv/bin/python bench/instructions.py GET /search/ "q=数据科学工作坊"
    .venv/bin/python bench/instructions.py GET /articles/999999999/ --expect 404

Throughput on a shared machine moves by a quarter between runs; an instruction
count repeats to within 0.5% whatever else the machine does, so it shows what
a change to the Python side did. Requests go through Django's WSGI handler in
process, with the benchmark's settings, against the database that
``bench/run.py`` seeded (run it first) and its collected static files.
PostgreSQL's own work is not counted: look at it with ``EXPLAIN ANALYZE``.
valgrind runs the requests twice, after the same warm-up: once with none and
once with ``--requests`` of them; the difference, divided, is one request.
Needs valgrind (``apt-get install valgrind``); takes about half a minute.
"""

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
WARM_UP = 50


def serve(method, path, query, count, expect):
    """Run ``count`` requests after the warm-up (inside valgrind)."""
    sys.path.insert(0, str(BASE))
    from bench import run

    os.environ.update(run.env(NEWSROOM_PAGE_CACHE="0"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    application = WSGIHandler()

    def request(number):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(run.PORT),
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": "0",
            # A new visitor each time, as in the click scenario of bench/run.py.
            "HTTP_USER_AGENT": f"Mozilla/5.0 (bench visitor {number}) Chrome/120",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        statuses = []
        b"".join(application(environ, lambda status, headers: statuses.append(status)))
        return statuses[0]

    for number in range(WARM_UP):
        status = request(number)
    if not status.startswith(expect or ("2", "3")):
        sys.exit(f"{method} {path}: {status}")
    for number in range(count):
        request(WARM_UP + number)


def count_instructions(method, path, query, count, expect):
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            __file__,
            "--serve",
            str(count),
            method,
            path,
            query,
            *(["--expect", expect] if expect else []),
        ]
        done = subprocess.run(command, capture_output=True, text=True, cwd=BASE)
        if done.returncode != 0:
            sys.exit(done.stderr[-2000:])
        return int(re.search(r"Collected : (\d+)", done.stderr)[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("method", choices=["GET", "POST"])
    parser.add_argument("path")
    parser.add_argument("query", nargs="?", default="")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--expect", help="the status the page answers if not a success (404 for a missing page)"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.method, args.path, args.query, args.serve, args.expect)
        return
    from urllib.parse import quote

    query = quote(args.query, safe="=&")
    without = count_instructions(args.method, args.path, query, 0, args.expect)
    with_requests = count_instructions(args.method, args.path, query, args.requests, args.expect)
    print(f"{(with_requests - without) // args.requests:,} instructions per request")


if __name__ == "__main__":
    main()
