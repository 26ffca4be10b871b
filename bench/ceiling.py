"""The benchmark's ceiling: a bare Django view returning a constant 20 KB page.

Served by the same project, middleware and gunicorn settings as the real pages
(only when NEWSROOM_BENCH_CEILING=1), so that each scenario can be reported as
a share of what this machine can do at all.
"""

from django.http import HttpResponse

PAYLOAD = ("<p>campus news, the constant page of the benchmark ceiling</p>\n" * 400).encode()[
    :20480
]


def ceiling(request):
    return HttpResponse(PAYLOAD, content_type="text/html; charset=utf-8")
