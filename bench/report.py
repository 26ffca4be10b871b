"""
Turn bench/out/<N>.json files into the tables of bench/RESULTS.md.

    .venv/bin/python bench/report.py bench/out/10000.json bench/out/100000.json
    .venv/bin/python bench/report.py --spread bench/out/runs/10000-*.json

Prints Markdown; the figures in RESULTS.md were pasted from this output.
``--spread`` summarises several runs of one size: the lowest, median and
highest share of the ceiling of each scenario, and how many runs met its
target (the machine's speed varies between and within runs).
"""

import json
import statistics
import sys

LABELS = {
    "ceiling": "ceiling (constant 20 KB view)",
    "home": "home",
    "department": "department homepage",
    "column_page_1": "column list, page 1",
    "column_page_400": "column list, page 400",
    "article": "article detail (200 rotating)",
    "search": "search, common word (1 in 20 articles)",
    "search_rare": "search, rare word (1 article)",
    "not_found": "404 page",
    "click": "click endpoint",
    "click_redis": "click endpoint, Redis buffer (`NEWSROOM_CLICK_BUFFER=redis`)",
}
TARGETS = {
    "article": 15,
    "column_page_1": 10,
    "department": 8,
    "search": 5,
    "click": 40,
    "click_redis": 40,
}
CACHED_TARGETS = {"article": 70, "column_page_1": 70, "column_page_400": 70}


def pct(value, ceiling):
    return f"{value / ceiling * 100:.1f}%"


def throughput(name, result):
    """Requests per second; for the click endpoints, counted clicks per second."""
    counted = result.get("accepted_per_second") if name.startswith("click") else None
    return counted or result["requests_per_second"]


def ceiling_near(result, data, group):
    """The ceiling measured just before a scenario (older runs: the run's first)."""
    return result.get("ceiling_rps") or data[group]["ceiling"]["requests_per_second"]


def clicks_sentence(title, result, stored_where):
    return (
        f"{title}, 64 clients for 20 s: {result['clicks_sent']:,} counting requests sent, "
        f'{result["clicks_counted"]:,} answered "counted", {result["stored"]:,} '
        f"{stored_where}: difference sent − stored = {result['lost']}, answered − stored = "
        f"{result['clicks_counted'] - result['stored']}."
    )


def report(path):
    data = json.load(open(path))
    lines = [f"### {data['articles']:,} articles", ""]
    if "seed" in data:
        seed = data["seed"]
        lines += [
            f"Seeding: {seed['articles']:,} articles in {seed['seconds']} s "
            f"({seed['articles_per_second']:,}/s, search index build included).",
            "",
        ]
    lines += [
        "Uncached (page cache off):",
        "",
        "| scenario | req/s | ceiling just before | share of ceiling | target | p50 ms | p99 ms "
        "| queries | bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in data["uncached"].items():
        rps = throughput(name, result)
        near = ceiling_near(result, data, "uncached")
        target = TARGETS.get(name)
        lines.append(
            f"| {LABELS.get(name, name)} | {rps:,.0f} | {near:,.0f} | {pct(rps, near)} | "
            f"{f'≥ {target}%' if target else ''} | {result['p50_ms']} | {result['p99_ms']} | "
            f"{data['queries'].get(name, '')} | {result.get('bytes', '')} |"
        )

    deep = shares(data)[("uncached", "deep_over_page_1")]
    lines += [
        "",
        f"Deep list page / page 1 (shares of their ceilings): {deep:.0f}% (target ≥ 90%).",
        "",
        clicks_sentence("Click endpoint", data["uncached"]["click"], "stored in PostgreSQL"),
        "",
    ]
    redis = data["uncached"].get("click_redis")
    if redis:
        lines += [
            clicks_sentence(
                "Click endpoint with the Redis buffer",
                redis,
                "in PostgreSQL after `flush_clicks`",
            ),
            "",
        ]
    lines += [
        "Page cache on (hits):",
        "",
        "| scenario | req/s | ceiling just before | share of ceiling | target | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in data["cached"].items():
        near = ceiling_near(result, data, "cached")
        target = CACHED_TARGETS.get(name)
        lines.append(
            f"| {LABELS.get(name, name)} | {result['requests_per_second']:,.0f} | {near:,.0f} | "
            f"{pct(result['requests_per_second'], near)} | "
            f"{f'≥ {target}%' if target else ''} | {result['p50_ms']} | {result['p99_ms']} |"
        )
    errors = [
        f"{group} {name}: {result['non_2xx']}"
        for group in ("uncached", "cached", "nginx")
        for name, result in data[group].items()
        if result.get("non_2xx") and name != "not_found"
    ]
    lines += [
        "",
        "Error responses in scenarios that expect 200: "
        + (", ".join(errors) if errors else "none")
        + ".",
    ]
    nginx = data["nginx"]
    static = nginx["static_copy"]["requests_per_second"]
    article = nginx["article"]["requests_per_second"]
    lines += [
        "",
        f"Behind nginx (shipped locations.conf, micro-cache): article detail "
        f"{article:,.0f} req/s vs. the same page saved as a static file {static:,.0f} req/s: "
        f"{article / static * 100:.0f}% (target ≥ 50%).",
        "",
        f"Memory: gunicorn workers after {data['memory']['requests']:,} requests: "
        f"{', '.join(f'{mb} MB' for mb in data['memory']['worker_rss_mb'])} RSS "
        "(target < 150 MB).",
        "",
    ]
    return "\n".join(lines)


def shares(data):
    """{(group, scenario): share of the ceiling next to it, in percent}."""
    found = {}
    for group in ("uncached", "cached"):
        for name, result in data[group].items():
            if name != "ceiling":
                found[(group, name)] = (
                    throughput(name, result) / ceiling_near(result, data, group) * 100
                )
    if data["nginx"]:  # a --pages-only run has no nginx scenarios
        static = data["nginx"]["static_copy"]["requests_per_second"]
        article = data["nginx"]["article"]["requests_per_second"]
        found[("nginx", "article")] = article / static * 100
    page1, deep = found[("uncached", "column_page_1")], found[("uncached", "column_page_400")]
    found[("uncached", "deep_over_page_1")] = deep / page1 * 100
    return found


def spread(paths):
    runs = [json.load(open(path)) for path in paths]
    targets = {
        **{("uncached", name): value for name, value in TARGETS.items()},
        **{("cached", name): value for name, value in CACHED_TARGETS.items()},
        ("nginx", "article"): 50,
        ("uncached", "deep_over_page_1"): 90,
    }
    labels = {("nginx", "article"): "article behind nginx, of a static copy"}
    labels[("uncached", "deep_over_page_1")] = "page 400 of page 1"
    table = [shares(run) for run in runs]
    lines = [
        f"{len(runs)} runs of {runs[0]['articles']:,} articles:",
        "",
        "| scenario | lowest | median | highest | target | runs meeting it |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    keys = dict.fromkeys(key for run in table for key in run)
    for key in keys:
        values = sorted(run[key] for run in table if key in run)
        median = statistics.median(values)
        target = targets.get(key)
        met = f"{sum(v >= target for v in values)} of {len(values)}" if target else ""
        group, name = key
        cached = ", cached" if group == "cached" else ""
        label = labels.get(key) or f"{LABELS.get(name, name)}{cached}"
        lines.append(
            f"| {label} | {values[0]:.1f}% | {median:.1f}% | {values[-1]:.1f}% | "
            f"{f'≥ {target}%' if target else ''} | {met} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--spread"]:
        print(spread(sys.argv[2:]))
    else:
        print("\n\n".join(report(path) for path in sys.argv[1:]))
