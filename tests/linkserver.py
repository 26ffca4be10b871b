"""A local HTTP server for the link checker's tests and benchmark: never the internet.

Paths: /ok, /missing (404), /gone (410), /redirect (301 to /ok), /redirect-missing
(302 to /missing), /loop (redirects to itself), /no-head (405 to HEAD, 200 to GET),
/slow?s=SECONDS (answers after a pause). It counts the requests in flight, overall
and per port, and keeps the highest counts. A request stops counting just before
its answer is sent (the client cannot start its next one before reading it), or
when the client hangs up while a slow page makes it wait (a checker that gave up
is no longer asking): so any overlap counted is overlap the client made.
"""

import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.now = 0
        self.max = 0
        self.per_port = {}
        self.max_per_port = 0
        self.requests = 0

    def enter(self, port):
        with self.lock:
            self.requests += 1
            self.now += 1
            self.max = max(self.max, self.now)
            self.per_port[port] = self.per_port.get(port, 0) + 1
            self.max_per_port = max(self.max_per_port, self.per_port[port])

    def leave(self, port):
        with self.lock:
            self.now -= 1
            self.per_port[port] -= 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def answer(self, body):
        self.counted = True
        self.server.counter.enter(self.server.server_address[1])
        try:
            self._answer(body)
        finally:
            self.stop_counting()

    def stop_counting(self):
        if getattr(self, "counted", False):
            self.counted = False
            self.server.counter.leave(self.server.server_address[1])

    def wait(self, seconds):
        """Sleep ``seconds``; stop counting (and waiting) once the client hangs up."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            readable, _, _ = select.select([self.connection], [], [], 0.02)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                self.stop_counting()
                return False
        return True

    def _answer(self, body):
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/slow":
            if not self.wait(float(parse_qs(parts.query).get("s", ["2"])[0])):
                return None
            return self.reply(200, body)
        if path.startswith("/ok"):
            return self.reply(200, body)
        if path == "/gone":
            return self.reply(410, body)
        if path == "/redirect":
            return self.reply(301, body, location="/ok")
        if path == "/redirect-missing":
            return self.reply(302, body, location="/missing")
        if path == "/loop":
            return self.reply(302, body, location="/loop")
        if path == "/no-head":
            return self.reply(405 if self.command == "HEAD" else 200, body)
        return self.reply(404, body)

    def reply(self, status, body, location=None):
        self.stop_counting()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def start(count=1, counter=None):
    """``count`` servers on 127.0.0.1 (one "host" each), sharing one ``Counter``."""
    counter = counter or Counter()
    servers = []
    for _ in range(count):
        server = Server(("127.0.0.1", 0), Handler)
        server.counter = counter
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers, counter


def stop(servers):
    for server in servers:
        server.shutdown()
        server.server_close()


def refused_port():
    """A port on which nothing listens: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StatsHandler(Handler):
    """Also answers /__stats with the shared counter (for a server in another process)."""

    def _answer(self, body):
        if self.path == "/__stats":
            import json

            counter = self.server.counter
            payload = json.dumps(
                {
                    "requests": counter.requests,
                    "max_in_flight": counter.max,
                    "max_per_port": counter.max_per_port,
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return None
        return super()._answer(body)

    def answer(self, body):
        if self.path == "/__stats":
            return self._answer(body)
        return super().answer(body)


def main(count):
    """Serve ``count`` ports until stdin closes; print the ports, one line of JSON."""
    import json
    import sys

    counter = Counter()
    servers = []
    for _ in range(count):
        server = Server(("127.0.0.1", 0), StatsHandler)
        server.counter = counter
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    print(json.dumps([s.server_address[1] for s in servers]), flush=True)
    sys.stdin.read()
    stop(servers)


if __name__ == "__main__":
    import sys

    main(int(sys.argv[1]))
