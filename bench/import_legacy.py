"""
Import speed: a synthetic 博达 VSB site of N articles, served on 127.0.0.1 by a threaded
http.server, imported with ``manage.py import_legacy`` into the configured database.

    DATABASE_URL=postgres://… .venv/bin/python bench/import_legacy.py --articles 400

Every article has the sample page's structure (meta tags, meta line, click counter), a
JPEG of its own (600×400, stored with its renditions like an upload) and every fifth one a
PDF attachment; lists hold 20 articles a page with VSB's reversed pagination. Media go to a
temporary folder. Prints articles/s for the first run (everything created) and the second
(nothing changed). The figures are recorded in bench/RESULTS.md.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))


def build_site(count, columns=4, per_page=20):
    from PIL import Image as PILImage

    from tests.legacy.server import Response, Site

    site = Site()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    nav = "".join(f'<a href="/col{c}.htm">栏目{c}</a>' for c in range(columns))
    site.add(
        "/index.htm",
        f"<html><head><title>基准学院</title></head><body>{nav}"
        "<!--Announced by Visual SiteBuilder 9--></body></html>",
    )
    by_column = {c: [] for c in range(columns)}
    for n in range(count):
        by_column[n % columns].append(10000 + n)
    for c, ids in by_column.items():
        pages = [ids[i : i + per_page] for i in range(0, len(ids), per_page)] or [[]]
        total = len(pages)
        for k, page_ids in enumerate(pages, 1):
            path = f"/col{c}.htm" if k == 1 else f"/col{c}/{total - k + 1}.htm"
            rows = "".join(
                f'<li id="line_u8_{i}"><a href="/info/{100 + c}/{nid}.htm" title="文章{nid}">'
                f"文章{nid}</a><span>2024-05-{1 + nid % 28:02d}</span></li>"
                for i, nid in enumerate(page_ids)
            )
            pager = "".join(
                f'<a href="/col{c}/{total - j + 1}.htm">{j}</a>' for j in range(2, total + 1)
            )
            site.add(path, f"<html><body>{nav}<ul>{rows}</ul><div>{pager}</div></body></html>")
        for nid in ids:
            buffer = io.BytesIO()
            PILImage.new("RGB", (600, 400), ((nid * 7) % 256, (nid * 13) % 256, 90)).save(
                buffer, "JPEG", quality=85
            )
            image = f"/__local/A/{nid}_00000000_1.jpg"
            site.add(image, buffer.getvalue(), content_type="image/jpeg")
            attachment = ""
            if nid % 5 == 0:
                attachment = (
                    '<ul><li>附件【<a href="/system/_content/download.jsp?urltype=news.'
                    f'DownloadAttachUrl&amp;owner=1&amp;wbfileid={nid}">材料{nid}.pdf</a>】</li></ul>'
                )
            site.add(
                f"/info/{100 + c}/{nid}.htm",
                '<html><head><meta charset="utf-8"><title>文章-基准学院</title>'
                f'<META Name="ArticleTitle" Content="基准文章{nid}" />'
                '<META Name="PubDate" Content="2024-05-01 08:30" /></head><body>'
                '<form name="_newscontent_fromname"><h2 class="title">基准文章</h2>'
                '<p class="info">作者：张三 &nbsp; 来源：办公室 &nbsp; 点击：'
                f'<script>_showDynClicks("wbnews", 1, {nid})</script></p>'
                '<div id="vsb_content"><div class="v_news_content">'
                + "".join(
                    f'<p class="MsoNormal"><span style="mso-x:1">第{i}段正文内容。</span></p>'
                    for i in range(8)
                )
                + f'<p class="vsbcontent_img"><img src="{image}" alt="undefined"></p>'
                f"</div></div>{attachment}</form></body></html>",
            )
    site.handle(
        "/system/resource/code/news/click/dynclicks.jsp",
        lambda q: Response(q.get("clickid", "0").encode(), "text/plain"),
    )
    site.handle(
        "/system/_content/download.jsp",
        lambda q: Response(
            pdf,
            "application/octet-stream",
            headers=[(b"Content-Disposition", b"attachment; filename*=UTF-8''x.pdf")],
        ),
    )
    return site


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DJANGO_MEDIA_ROOT", f"{media}/media")
    os.environ.setdefault("NEWSROOM_PRIVATE_ROOT", f"{media}/private")
    os.environ.setdefault("NEWSROOM_CONTENT_STAMP", f"{media}/content.stamp")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tests.legacy.server import serve

    call_command("migrate", verbosity=0)
    site = build_site(args.articles)
    server, base = serve(site)
    slug = f"bench-import-{int(time.time())}"
    try:
        for label in ("first run (all created)", "second run (unchanged)"):
            out = io.StringIO()
            started = time.perf_counter()
            call_command(
                "import_legacy",
                f"{base}/index.htm",
                "--department",
                slug,
                "--concurrency",
                str(args.concurrency),
                stdout=out,
            )
            seconds = time.perf_counter() - started
            print(
                f"{label}: {args.articles} articles in {seconds:.1f} s = "
                f"{args.articles / seconds:.1f} articles/s ({connection.vendor})"
            )
            print("  " + " · ".join(out.getvalue().split("\n")[1:-1]))
    finally:
        server.shutdown()
        print(f"media in {media} (delete it when done); department {slug}")


if __name__ == "__main__":
    main()
