"""The report of a run: the table, the targets met or missed, the EXPLAIN plans, and the Markdown summary."""

from __future__ import annotations


def table(results: dict) -> str:
    header = (
        "| phase | scenario | req/s (median, min-max) | x bare | x raw page | p50 ms | p95 ms | p99 ms | errors "
        "| SQL/request (first visit) | KB |"
    )
    lines = [header, "|" + "---|" * 11]
    for phase in ("cached", "longtail", "uncached"):
        for name, result in results.get(phase, {}).items():
            if phase == "longtail" and name in ("bare", "raw_page"):
                continue  # the same baselines as the cached phase, taken again beside these rounds
            probe_result = result["probe"]
            lines.append(
                f"| {phase} | {name} | {result['rps_median']:.0f} ({result['rps_min']:.0f}-{result['rps_max']:.0f}) "
                f"| {result['ratio_to_bare']['median']:.2f} | {result['ratio_to_raw_page']['median']:.2f} "
                f"| {result['p50_ms']} | {result['p95_ms']} | {result['p99_ms']} | {result['errors']} "
                f"| {probe_result['queries_max']} ({probe_result['queries_first_visit_max']}) "
                f"| {probe_result['bytes_median'] / 1024:.1f} |"
            )
    return "\n".join(lines)


def targets(results: dict, listings: int, worst_filters: list[dict] | None = None) -> list[dict]:
    """The issue's targets, checked against this run; each says by how much it is met or missed."""
    checks = []
    cached, uncached = results.get("cached", {}), results.get("uncached", {})

    def check(name: str, value: float, limit: float, higher_is_better: bool, detail: str) -> None:
        met = value >= limit if higher_is_better else value <= limit
        # The targets hold for the production configuration (phase "cached"); the same limits are shown for the
        # phase with the page cache off, as information on what a miss costs, and do not decide the exit status.
        informational = "(uncached)" in name
        checks.append(
            {"target": name, "value": value, "limit": limit, "met": met, "detail": detail, "info": informational}
        )

    if listings <= 100_000:
        if "catalog_anonymous" in cached:
            ratio = cached["catalog_anonymous"]["ratio_to_bare"]
            spread = f"rounds {ratio['min']}-{ratio['max']}"
            check("anonymous catalog >= 0.5 x bare view", ratio["median"], 0.5, True, spread)
        if "catalog_signed_in" in cached:
            ratio = cached["catalog_signed_in"]["ratio_to_raw_page"]
            spread = f"rounds {ratio['min']}-{ratio['max']}"
            check("signed-in catalog >= 0.5 x raw page", ratio["median"], 0.5, True, spread)
    search_limit = 50 if listings <= 100_000 else 100
    for phase, phase_results in (("cached", cached), ("uncached", uncached)):
        if "search" in phase_results:
            p95 = phase_results["search"]["p95_ms"]
            check(f"search p95 <= {search_limit} ms ({phase})", p95, search_limit, False, "20 queries")
        if listings > 100_000 and "catalog_anonymous" in phase_results:
            for name in ("catalog_anonymous", "catalog_signed_in"):
                if name in phase_results:
                    check(f"{name} p95 <= 100 ms ({phase})", phase_results[name]["p95_ms"], 100, False, "")
        # The deep page against page 1 of the same list: the whole catalog, and Spanish books only.
        for deep, first in (("deep_page", "catalog_anonymous"), ("deep_filtered", "filtered_page1")):
            if deep in phase_results and first in phase_results:
                deep_p95, first_p95 = phase_results[deep]["p95_ms"], phase_results[first]["p95_ms"]
                check(
                    f"{deep} p95 <= 1.5 x {first} p95 ({phase})",
                    round(deep_p95 / first_p95, 2) if first_p95 else 0,
                    1.5,
                    False,
                    f"{deep_p95} ms vs {first_p95} ms",
                )
    if "inventory" in cached:
        check("seller inventory (20,000 listings) p95 <= 150 ms", cached["inventory"]["p95_ms"], 150, False, "")
        # session, user, shop, summary, answered appeals, count, page ids, rows, copies held by unpaid orders
        queries = cached["inventory"]["probe"]["queries_first_visit_max"]
        check("seller inventory <= 9 SQL queries", queries, 9, False, "")
    worst = max(
        [
            (r["probe"]["queries_first_visit_max"], name)
            for phase_results in (cached, uncached)
            for name, r in phase_results.items()
            if name not in ("bare", "raw_page", "inventory")
        ]
        or [(0, "none")]
    )
    if worst[1] != "none":
        check("every catalog page <= 6 SQL queries", worst[0], 6, False, f"most: {worst[1]}")
    long_tail_targets(results.get("longtail", {}), listings, worst_filters or [], check)
    race = results.get("buying", {}).get("race_outcome")
    if race:
        errors = results["buying"]["race"]["server_errors"]
        checks.append(
            {
                "target": "race: exactly 10 sold, 0 oversold, 0 server errors",
                "value": f"{race['sold']} sold, {race['oversold']} oversold, {errors} errors",
                "limit": "10, 0, 0",
                "met": race["sold"] == 10 and race["oversold"] == 0 and errors == 0 and race["stock_consistent"],
                "detail": f"stock left {race['stock_left']}",
            }
        )
    volume_targets(results.get("volume"), check)
    return checks


# The seller tools' own bars (issues 8 and 12): what a seller waits for at the size each tool allows.
API_BULK_SECONDS = 5
IMPORT_SECONDS = 120


def volume_targets(volume: dict | None, check) -> None:
    if not volume:
        return
    api, imported = volume["api"], volume["import"]
    complete = api["created"] == api["items"] and api["updated"] == api["items"] and not api["refused"]
    check(
        f"API bulk: {api['items']:,} listings created in one call <= {API_BULK_SECONDS} s",
        api["create_seconds"] if complete else float("inf"),
        API_BULK_SECONDS,
        False,
        f"({api['created']} created, {api['refused']} refused)",
    )
    check(
        f"API bulk: the same {api['items']:,} repriced in one call <= {API_BULK_SECONDS} s",
        api["update_seconds"] if complete else float("inf"),
        API_BULK_SECONDS,
        False,
        f"({api['updated']} updated)",
    )
    for attempt, expected in (("first", "created"), ("again", "unchanged")):
        run = imported.get(attempt)
        if run is None:
            continue
        seconds = run["dry_run_seconds"] + run["apply_seconds"]
        done = run["status"] == "done" and run[expected] == imported["rows"]
        check(
            f"import of {imported['rows']:,} rows ({attempt}: every row {expected}), dry run and apply "
            f"<= {IMPORT_SECONDS} s",
            round(seconds, 1) if done else float("inf"),
            IMPORT_SECONDS,
            False,
            f"(dry run {run['dry_run_seconds']} s, apply {run['apply_seconds']} s, {run['status']}, "
            f"{run[expected]:,} {expected})",
        )


# Pages of 24 from at most this many index entries: what a plan reads that seeks rather than scans.
ROWS_READ_LIMIT = 2000


def long_tail_targets(longtail: dict, listings: int, worst_filters: list[dict], check) -> None:
    """Targets of the long-tail phase (every URL new). At 1,000,000 listings the p95 limits are doubled.

    Each latency and throughput target also says what the raw page did in the same rounds: one query and a
    24-row template, less than any catalog page does. A limit that the raw page itself misses cannot be met on
    that machine by a page that is not served from a cache (bench/README.md, "What a target asks of a request").
    """
    scale = 1 if listings <= 100_000 else 2
    floor = longtail.get("raw_page")
    for name, limit, what in (
        ("longtail_search", 50, "search"),
        ("longtail_filters", 80, "filter mix"),
        ("longtail_detail", 30, "listing page"),
    ):
        if name in longtail:
            result = longtail[name]
            check(
                f"long tail: {what} p95 <= {limit * scale} ms",
                result["p95_ms"],
                limit * scale,
                False,
                " ".join(filter(None, (_repeats(result), _floor_p95(floor, limit * scale)))),
            )
    if "longtail_detail" in longtail:
        ratio = longtail["longtail_detail"]["ratio_to_bare"]
        check(
            "long tail: listing page >= 0.3 x bare",
            ratio["median"],
            0.3,
            True,
            f"rounds {ratio['min']}-{ratio['max']} {_floor_ratio(floor, 0.3)}".strip(),
        )
    if "longtail_catalog" in longtail:
        ratio = longtail["longtail_catalog"]["ratio_to_bare"]
        check(
            "long tail: catalog (searches and filters) >= 0.15 x bare",
            ratio["median"],
            0.15,
            True,
            f"rounds {ratio['min']}-{ratio['max']} {_repeats(longtail['longtail_catalog'])}",
        )
    if worst_filters:
        worst = max(worst_filters, key=lambda entry: entry["rows_read"])
        check(
            f"long tail: slowest filter pages read <= {ROWS_READ_LIMIT:,} rows",
            worst["rows_read"],
            ROWS_READ_LIMIT,
            False,
            f"most: {worst['url']}",
        )


def _floor_p95(floor: dict | None, limit: float) -> str:
    """The raw page's p95 in the same rounds, and whether it is over ``limit`` itself."""
    if not floor:
        return ""
    over = ", over the limit itself" if floor["p95_ms"] > limit else ""
    return f"(raw page p95 {floor['p95_ms']} ms{over})"


def _floor_ratio(floor: dict | None, limit: float) -> str:
    """The raw page's throughput as a share of the bare view's in the same rounds, and whether it is under
    ``limit`` itself."""
    if not floor:
        return ""
    ratio = floor["ratio_to_bare"]["median"]
    under = ", under the limit itself" if ratio < limit else ""
    return f"(raw page {ratio:.2f} x bare{under})"


def _repeats(result: dict) -> str:
    """Whether a round ran out of distinct URLs (then some answers came from the page cache)."""
    repeated = sum(1 for round_result in result["rounds"] if round_result.get("repeated"))
    return f"({repeated} rounds ran out of new URLs)" if repeated else ""


def worst_filters_text(worst_filters: list[dict]) -> str:
    lines = []
    for entry in worst_filters:
        lines.append(
            f"{entry['url']}: {entry['ms']} ms in process ({entry['status']}, {entry['queries']} queries); slowest "
            f"query {entry['sql_ms']} ms, again {entry['sql_ms_again']} ms, {entry['rows_read']:,} rows read"
        )
        lines.append(f"  {entry['sql'][:600]}")
        for row in entry["explain"]:
            lines.append(
                f"  {row.get('select_type', ''):18} {row.get('table', ''):16} type={row.get('type')} "
                f"key={row.get('key')} rows={row.get('rows')} {row.get('Extra') or ''}"
            )
    return "\n".join(lines)


def explain_text(plans: dict) -> str:
    lines = []
    for name, rows in plans.items():
        lines.append(f"EXPLAIN {name}:")
        for row in rows:
            lines.append(
                f"  {row.get('select_type', ''):18} {row.get('table', ''):16} type={row.get('type')} "
                f"key={row.get('key')} rows={row.get('rows')} {row.get('Extra') or ''}"
            )
    return "\n".join(lines)


def machine_table(results: dict) -> str:
    """Each scenario's machine time per request by process (bench.machine_time), medians of its rounds."""
    header = "| phase | scenario | gunicorn | MariaDB | Redis | wrk | other | machine ms | idle |"
    lines = [header, "|" + "---|" * 9]
    for phase in ("cached", "longtail", "uncached"):
        for name, result in results.get(phase, {}).items():
            cpu = result.get("machine_ms")
            if not cpu or (phase == "longtail" and name in ("bare", "raw_page")):
                continue
            lines.append(
                f"| {phase} | {name} | {cpu['gunicorn']:.2f} | {cpu['mariadb']:.2f} | {cpu['redis']:.2f} "
                f"| {cpu['wrk']:.2f} | {cpu['other']:.2f} | {cpu['machine']:.2f} | {cpu['idle']:.0%} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def markdown(report: dict) -> str:
    info = report["machine"]
    lines = [
        f"# Benchmark, {report['listings']:,} listings ({report['finished_at']})",
        "",
        f"Machine: {info.get('cpu', '?')}, {info['cpus']} CPUs, {info.get('memory_gb', '?')} GB; "
        f"load average at start {info['load_average'][0]:.1f}; InnoDB buffer pool "
        f"{info.get('innodb_buffer_pool_mb', '?')} MB. {report['versions']}.",
        f"Command: `{report['command']}`",
        "",
        table(report["results"]),
        "",
    ]
    machine = machine_table(report["results"])
    if machine:
        lines += [
            'Machine time per request, in ms of CPU (median of the rounds; bench/README.md, "What a target asks of '
            'a request"):',
            "",
            machine,
            "",
        ]
    buying = report["results"].get("buying")
    if buying:
        flow, race = buying["flow"], buying["race"]
        lines += [
            f"Checkout flow (listing page, add to cart, checkout, pay; {report['plan']['flow_buyers']} buyers): "
            f"{flow['orders_paid']} orders paid in {flow['seconds']} s = **{flow['orders_per_second']} orders/s**, "
            f"HTTP p95 {flow['http'].get('p95_ms')} ms, server errors {flow['http'].get('server_errors')}.",
            f"Race ({race['buyers']} buyers, 10 copies): {buying['race_outcome']['sold']} sold, "
            f"{buying['race_outcome']['oversold']} oversold, {race['server_errors']} server errors, "
            f"answers {race['place_statuses']}, stock left {buying['race_outcome']['stock_left']}.",
            "",
        ]
    volume = report["results"].get("volume")
    if volume:
        api, first = volume["api"], volume["import"]["first"]
        lines += [
            f"Seller volume: API bulk of {api['items']:,} listings created in {api['create_seconds']} s and "
            f"repriced in {api['update_seconds']} s (over HTTP); import of {volume['import']['rows']:,} rows: "
            f"dry run {first['dry_run_seconds']} s, apply {first['apply_seconds']} s.",
            "",
        ]
    lines.append("| target | value | limit | met |")
    lines.append("|---|---|---|---|")
    for target in report["targets"]:
        lines.append(
            f"| {target['target']} | {target['value']} {target['detail']} | {target['limit']} "
            f"| {'yes' if target['met'] else ('no (information)' if target.get('info') else '**no**')} |"
        )
    lines += ["", "```", explain_text(report["explain"]), "```", ""]
    if report.get("worst_filters"):
        lines += [
            "The slowest filter pages of the long tail (of a sample rendered in process with the page cache off), "
            "each with its slowest query, the rows it read (Handler_read_*) and its plan:",
            "",
            "```",
            worst_filters_text(report["worst_filters"]),
            "```",
            "",
        ]
    return "\n".join(lines)
