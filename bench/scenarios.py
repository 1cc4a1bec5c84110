"""The scenarios and how each is measured: probes for queries and size, wrk rounds against the baselines,
and the buying flow and race driven by bench/checkout.py."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from collections import Counter
from pathlib import Path

import requests

from bench.common import BENCH, PYTHON, ROOT, log
from bench.machine_time import GROUPS, MachineTime
from bench.processes import Server
from bench.profiling import Profiler

# The JSON API's catalog search (/api/v1/catalog/books), on the same searches and filters as the web scenarios.
API_SEARCH = ("api_search", "api_search", False)
API_SOURCES = ("search", "filters", "long_tail")


def api_search_paths(paths: dict[str, list[str]]) -> list[str]:
    """The web catalog's search URLs as API calls: ``/books/?q=river`` -> ``/api/v1/catalog/books?q=river``."""
    return [
        "/api/v1/catalog/books?" + path.split("?", 1)[1]
        for key in API_SOURCES
        for path in paths.get(key, [])
        if path.startswith("/books/?")
    ]


def add_api_paths(paths: dict[str, list[str]], files: dict[str, Path], work: Path) -> None:
    if API_SEARCH[1] not in paths:
        paths[API_SEARCH[1]] = api_search_paths(paths)
        files[API_SEARCH[1]] = work / f"{API_SEARCH[1]}.paths"
        files[API_SEARCH[1]].write_text("\n".join(paths[API_SEARCH[1]]) + "\n")


# (name, paths key, signed in?) per phase. The baselines run in every round of both phases. "Signed in" is True for
# the reader's session, or the key of another session in what fixtures.prepare returns.
BASELINES = [("bare", "bare", False), ("raw_page", "raw_page", False)]
CACHED = [
    ("catalog_anonymous", "catalog", False),
    ("catalog_signed_in", "catalog", True),
    ("home", "home", False),
    ("deep_page", "deep_page", False),
    ("filtered_page1", "filtered_page1", False),
    ("deep_filtered", "deep_filtered", False),
    ("search", "search", False),
    ("filters", "filters", False),
    ("detail", "detail", False),
    # The catalog shows books by default; the copy view (?view=copies) and the book pages beside it.
    ("catalog_copies", "catalog_copies", False),
    ("search_copies", "search_copies", False),
    ("filters_copies", "filters_copies", False),
    ("book_page", "book_page", False),
    ("inventory", "inventory", "inventory_cookie"),
    API_SEARCH,
]
# Every request a URL nobody asked before, on the production configuration, after the cached phase; each round
# gets URLs of its own (bench/longtail.py makes them).
LONG_TAIL = [
    ("longtail_search", "longtail_search", False),
    ("longtail_filters", "longtail_filters", False),
    ("longtail_catalog", "longtail_catalog", False),
    ("longtail_detail", "longtail_detail", False),
    ("longtail_api", "longtail_api", False),
]
UNCACHED = [
    ("catalog_anonymous", "catalog", False),
    ("catalog_signed_in", "catalog", True),
    ("deep_page", "deep_page", False),
    ("filtered_page1", "filtered_page1", False),
    ("deep_filtered", "deep_filtered", False),
    ("search", "search", False),
    ("filters", "filters", False),
    ("catalog_copies", "catalog_copies", False),
    ("search_copies", "search_copies", False),
    ("filters_copies", "filters_copies", False),
    ("book_page", "book_page", False),
    API_SEARCH,
]


def session_for(prepared: dict, signed_in: bool | str) -> dict[str, str] | None:
    if isinstance(signed_in, str):
        return prepared[signed_in]
    return prepared["reader_cookie"] if signed_in else None


def cookie_header(cookie: dict[str, str] | None) -> str:
    return "; ".join(f"{name}={value}" for name, value in (cookie or {}).items())


def probe(base: str, paths: list[str], cookie: dict[str, str] | None) -> dict:
    """Each path twice (the first may fill a cache): status, SQL queries (X-Queries) and size of the second."""
    headers = {"Cookie": cookie_header(cookie)} if cookie else {}
    cold, warm, sizes, statuses = [], [], [], Counter()
    for path in paths[:25]:
        try:
            for attempt in (cold, warm):
                response = requests.get(base + path, headers=headers, allow_redirects=False, timeout=120)
                attempt.append(int(response.headers.get("X-Queries", "-1")))
        except requests.Timeout:
            statuses["timeout"] += 1
            continue
        sizes.append(len(response.content))
        statuses[response.status_code] += 1
    return {
        "queries_first_visit_max": max(cold, default=-1),
        "queries_max": max(warm, default=-1),
        "queries_median": statistics.median(warm) if warm else -1,
        "bytes_median": int(statistics.median(sizes)) if sizes else 0,
        "statuses": {str(code): count for code, count in statuses.items()},
    }


def run_wrk(
    base: str, paths_file: Path, cookie: dict[str, str] | None, args: argparse.Namespace, *, once: bool = False
) -> dict:
    """once: each wrk thread walks its own half of the file, so no path is asked twice until the file runs out."""
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "5s", "--latency"]
    command += ["-s", str(BENCH / "wrk" / "scenario.lua"), base, "--", str(paths_file), cookie_header(cookie)]
    command += ["once"] if once else []
    output = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 60, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = round(result["requests"] / result["duration_s"], 1)
    result["errors_total"] = sum(result["errors"].values())
    return result


def run_phase(
    phase: str,
    scenarios: list[tuple[str, str, bool]],
    server: Server,
    prepared: dict,
    files: dict[str, Path],
    paths: dict[str, list[str]],
    args: argparse.Namespace,
    work: Path,
) -> dict:
    results: dict[str, dict] = {}
    add_api_paths(paths, files, work)
    everything = BASELINES + scenarios
    profiles = {name for name in args.profile.split(",") if name}
    for name, key, signed_in in everything:
        cookie = session_for(prepared, signed_in)
        results[name] = {
            "paths": len(paths[key]),
            "signed_in": bool(signed_in),
            "probe": probe(server.base, paths[key], cookie),
        }
        results[name]["rounds"] = []
    # A short unrecorded run so every worker has loaded its code and opened its connections.
    run_wrk(server.base, files["catalog"], None, argparse.Namespace(**{**vars(args), "seconds": 2}))
    for round_number in range(args.rounds):
        for name, key, signed_in in everything:
            cookie = session_for(prepared, signed_in)
            profiler = Profiler(server, work)
            if round_number == 0 and name in profiles:
                profiler.start(f"{phase}-{name}", args.seconds)
            # The long tail gives every round URLs of its own; the probe had others.
            round_file = files.get(f"{key}#{round_number}")
            meter = MachineTime(server.process.pid if server.process else None)
            meter.start()
            result = run_wrk(server.base, round_file or files[key], cookie, args, once=round_file is not None)
            result["machine_ms"] = meter.per_request(result["requests"])
            if round_file is not None:
                result["distinct_paths"] = len(paths[f"{key}#{round_number}"])
                result["repeated"] = result["requests"] > result["distinct_paths"]
            profile = profiler.finish()
            if profile:
                results[name]["profile"] = profile
            results[name]["rounds"].append(result)
            log(
                f"{phase:8} round {round_number + 1} {name:18} {result['rps']:8.1f} req/s  "
                f"p95 {result['latency_ms']['p95']:>8} ms  errors {result['errors_total']}"
            )
    for result in results.values():
        result.update(summarise_rounds(result["rounds"], results["bare"]["rounds"], results["raw_page"]["rounds"]))
    return results


def summarise_rounds(rounds: list[dict], bare: list[dict], raw: list[dict]) -> dict:
    """Medians over the rounds; ratios are taken round by round against the baselines of the same round."""
    rps = [r["rps"] for r in rounds]

    def median_of(key: str) -> float:
        return round(statistics.median(float(r["latency_ms"][key]) for r in rounds), 2)

    return {
        "rps_median": round(statistics.median(rps), 1),
        "rps_min": min(rps),
        "rps_max": max(rps),
        "p50_ms": median_of("p50"),
        "p95_ms": median_of("p95"),
        "p99_ms": median_of("p99"),
        "p95_ms_max": round(max(float(r["latency_ms"]["p95"]) for r in rounds), 2),
        "errors": sum(r["errors_total"] for r in rounds),
        "ratio_to_bare": ratio_summary(rounds, bare),
        "ratio_to_raw_page": ratio_summary(rounds, raw),
        "machine_ms": machine_summary(rounds),
    }


def machine_summary(rounds: list[dict]) -> dict | None:
    """The median over the rounds of each group's machine time per request (bench.machine_time)."""
    measured = [r["machine_ms"] for r in rounds if r.get("machine_ms")]
    if not measured:
        return None
    return {key: round(statistics.median(m[key] for m in measured), 3) for key in (*GROUPS, "machine", "idle")}


def ratio_summary(rounds: list[dict], baseline: list[dict]) -> dict:
    ratios = [round(r["rps"] / b["rps"], 3) for r, b in zip(rounds, baseline, strict=True) if b["rps"]]
    return {"median": round(statistics.median(ratios), 3), "min": min(ratios), "max": max(ratios)}


# --- Buying ---------------------------------------------------------------------------------------


def run_buying(server: Server, prepared: dict, args: argparse.Namespace, work: Path) -> dict:
    plan_file = work / "buying.json"
    flow_plan = {
        "base": server.base,
        "buyers": prepared["flow_cookies"],
        "listings": prepared["flow_listings"],
        "seconds": args.seconds * 2,
    }
    plan_file.write_text(json.dumps(flow_plan))
    log(f"checkout flow: {len(flow_plan['buyers'])} buyers for {flow_plan['seconds']} s")
    flow = run_driver("flow", plan_file, flow_plan["seconds"] + 120)
    log(f"checkout flow: {flow['orders_paid']} orders paid, {flow['orders_per_second']} orders/s")

    race_plan = {"base": server.base, "buyers": prepared["race_cookies"], "listing": prepared["race_listing"]}
    plan_file.write_text(json.dumps(race_plan))
    log(f"race: {len(race_plan['buyers'])} buyers for the {10} copies of listing {race_plan['listing']}")
    race = run_driver("race", plan_file, 300)
    return {"flow": flow, "race": race}


def run_driver(scenario: str, plan_file: Path, timeout: int) -> dict:
    output = subprocess.run(
        [PYTHON, str(BENCH / "checkout.py"), scenario, str(plan_file)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output)
