"""A small old site served on 127.0.0.1 for the importer tests (a threaded http.server)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Response:
    body: bytes
    content_type: str = "text/html"
    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class Site:
    """Pages by path (and by path?query for dynamic pages); handlers for the rest."""

    def __init__(self):
        self.pages: dict[str, Response] = {}
        self.handlers = []  # (path, function(query) -> Response | None)
        self.requests: list[str] = []

    def add(self, path, body, **options):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.pages[path] = Response(body, **options)

    def handle(self, path, function):
        self.handlers.append((path, function))

    def respond(self, raw_path) -> Response:
        self.requests.append(raw_path)
        if raw_path in self.pages:
            return self.pages[raw_path]
        parts = urlsplit(raw_path)
        for path, function in self.handlers:
            if parts.path == path:
                found = function({k.lower(): v for k, v in parse_qsl(parts.query)})
                if found is not None:
                    return found
        if parts.path in self.pages:
            return self.pages[parts.path]
        return Response(b"<html><body>404 Not Found</body></html>", status=404)


def serve(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            response = site.respond(self.path)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers:
                self._headers_buffer.append(name + b": " + value + b"\r\n")
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
