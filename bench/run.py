"""`make bench`: load a large catalog into MariaDB, serve it with gunicorn as production does, measure it with wrk.

    .venv/bin/python bench/run.py                       # 100,000 listings, 3 rounds of 8 s per scenario
    .venv/bin/python bench/run.py --listings 1000000    # the large run (its own database)
    .venv/bin/python bench/run.py --rounds 1 --seconds 5 --only catalog,search --no-buying

What it does, in order:

1. Creates the database (bookstore_bench, or bookstore_bench_<n> for another size), migrates it, and loads it with
   `seed_bulk` unless it already holds exactly that many bulk listings; then refreshes the optimizer statistics.
2. Starts gunicorn (gthread, deploy/docker/gunicorn.conf.py) on 127.0.0.1 with bench.settings: the production
   settings (DEBUG off, MariaDB with persistent connections, Redis cache) plus the two baseline pages and an
   X-Queries header. No TLS on loopback, so the Secure-cookie and HTTPS-redirect settings are off.
3. Phase "cached" (production configuration) and phase "uncached" (catalog page cache off, to show the work of a
   miss): each scenario runs `rounds` times for `seconds`, interleaved with the two baselines, from wrk (2 threads,
   8 connections). Each scenario's paths are probed once first for SQL queries per request and response size.
4. Buying: add to cart + checkout + payment in a loop by 8 buyers (orders/s), then 100 buyers racing for 10
   copies; both over HTTP through the real pages (bench/checkout.py, a separate process).
5. Prints a table and the EXPLAIN plans, writes bench/results/bench-<time>-<size>.json and
   bench/results/latest-<size>.md, and stops every process it started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
GUNICORN_CONF = ROOT / "deploy" / "docker" / "gunicorn.conf.py"
PROJECT_APPS = ("accounts", "bench", "bookstore", "catalog", "core", "jobs", "orders", "shipping")

# (name, paths key, signed in?) per phase. The baselines run in every round of both phases.
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
]
UNCACHED = [
    ("catalog_anonymous", "catalog", False),
    ("catalog_signed_in", "catalog", True),
    ("deep_page", "deep_page", False),
    ("filtered_page1", "filtered_page1", False),
    ("deep_filtered", "deep_filtered", False),
    ("search", "search", False),
    ("filters", "filters", False),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=100_000, help="bulk listings to load (default 100000)")
    parser.add_argument("--database", help="MariaDB database (default bookstore_bench[_<listings>])")
    parser.add_argument("--mysql", default=os.environ.get("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--rounds", type=int, default=3, help="times each scenario runs (default 3)")
    parser.add_argument("--seconds", type=int, default=8, help="seconds per scenario and round (default 8)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--only", default="", help="comma-separated scenario names (the baselines always run)")
    parser.add_argument("--no-uncached", action="store_true", help="skip the phase with the page cache off")
    parser.add_argument("--no-buying", action="store_true", help="skip the checkout flow and the race")
    parser.add_argument(
        "--buffer-pool-mb",
        type=int,
        default=1024,
        help="raise MariaDB's innodb_buffer_pool_size to this for the run, as production sizes it to the data "
        "(default 1024; 0 leaves it; the old size is put back at the end)",
    )
    parser.add_argument("--profile", default="", help="py-spy a worker during these scenarios (comma-separated)")
    args = parser.parse_args()
    if not args.database:
        args.database = "bookstore_bench" if args.listings == 100_000 else f"bookstore_bench_{args.listings}"
    if not re.fullmatch(r"\w+", args.database, flags=re.ASCII):
        parser.error("--database takes letters, digits and underscores only")
    return args


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Environment ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_environment(args: argparse.Namespace, port: int, work: Path) -> dict[str, str]:
    """Production settings for loopback: what differs from a real deployment is only TLS and where files go."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"{args.mysql.rstrip('/')}/{args.database}",
        "CACHE_URL": args.redis,
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "bookstore-bench-media"),
        # No TLS on loopback: keep cookies sendable over http and do not redirect to https.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        # The access log is formatted as in production but not kept.
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_LOG_LEVEL": "warning",
        # Production recycles a worker every ~2,000 requests; at benchmark rates that is a restart every few
        # seconds, which measures Django's start-up rather than the pages.
        "GUNICORN_MAX_REQUESTS": "0",
    }


def machine() -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        mem_kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        info["memory_gb"] = round(mem_kb / 1024 / 1024, 1)
    info["load_average"] = list(os.getloadavg())
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    info["wrk"] = (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else "?"
    return info


# --- Database -------------------------------------------------------------------------------------


def prepare_database(args: argparse.Namespace) -> None:
    """Create the database, or empty it when it holds another number of bulk listings."""
    import MySQLdb

    url = urlparse(args.mysql)
    server = MySQLdb.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 3306, user=url.username or "root", passwd=url.password or ""
    )
    try:
        cursor = server.cursor()
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            [args.database, "catalog_listing"],
        )
        if cursor.fetchone()[0]:
            server.select_db(args.database)
            cursor.execute(
                "SELECT COUNT(*) FROM catalog_listing l JOIN accounts_user u ON u.id = l.seller_id "
                "WHERE u.email LIKE %s",
                ["%@bulk.example.com"],
            )
            loaded = cursor.fetchone()[0]
            if loaded == args.listings:
                log(f"{args.database} already holds {loaded:,} bulk listings: no reload")
                return
            log(f"{args.database} holds {loaded:,} bulk listings, not {args.listings:,}: reloading")
            cursor.execute(f"DROP DATABASE `{args.database}`")
        cursor.execute(
            f"CREATE DATABASE IF NOT EXISTS `{args.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    finally:
        server.close()


def _server_connection(args: argparse.Namespace):
    import MySQLdb

    url = urlparse(args.mysql)
    return MySQLdb.connect(
        host=url.hostname or "127.0.0.1", port=url.port or 3306, user=url.username or "root", passwd=url.password or ""
    )


def buffer_pool_bytes(args: argparse.Namespace) -> int:
    server = _server_connection(args)
    try:
        cursor = server.cursor()
        cursor.execute("SELECT @@GLOBAL.innodb_buffer_pool_size")
        return int(cursor.fetchone()[0])
    finally:
        server.close()


def set_buffer_pool(args: argparse.Namespace, size: int) -> None:
    """Resize InnoDB's buffer pool (MariaDB resizes it online) and wait until it has."""
    server = _server_connection(args)
    try:
        cursor = server.cursor()
        cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", [size])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cursor.execute("SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'")
            row = cursor.fetchone()
            if not row or not row[1] or "ompleted" in row[1] or "finished" in row[1].lower():
                break
            time.sleep(0.5)
    finally:
        server.close()


# --- gunicorn -------------------------------------------------------------------------------------


class Server:
    """gunicorn in its own process group, stopped (the whole group) on exit."""

    def __init__(self, env: dict[str, str], port: int, logfile: Path):
        self.env, self.port, self.logfile = env, port, logfile
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        if GUNICORN_CONF.is_file():
            command = [str(Path(PYTHON).parent / "gunicorn"), "-c", str(GUNICORN_CONF)]
        else:  # the same choices, for a checkout without the deploy files
            command = [str(Path(PYTHON).parent / "gunicorn"), "bookstore.wsgi:application", "-k", "gthread"]
            command += ["-w", "3", "--threads", "4", "-b", self.env["GUNICORN_BIND"], "--keep-alive", "75"]
        with self.logfile.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env, **(extra_env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.logfile}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False)
        return [int(pid) for pid in found.stdout.split()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


# --- Measuring ------------------------------------------------------------------------------------


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


def run_wrk(base: str, paths_file: Path, cookie: dict[str, str] | None, args: argparse.Namespace) -> dict:
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "5s", "--latency"]
    command += ["-s", str(BENCH / "wrk" / "scenario.lua"), base, "--", str(paths_file), cookie_header(cookie)]
    output = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 60, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = round(result["requests"] / result["duration_s"], 1)
    result["errors_total"] = sum(result["errors"].values())
    return result


class Profiler:
    """py-spy on one worker for the length of a scenario; summarised as the functions seen most."""

    def __init__(self, server: Server, work: Path):
        self.server, self.work = server, work
        self.process: subprocess.Popen | None = None
        self.output: Path | None = None

    def start(self, name: str, seconds: int) -> None:
        pyspy = Path(PYTHON).parent / "py-spy"
        workers = self.server.workers()
        if not pyspy.exists() or not workers:
            return
        self.output = self.work / f"{name}.collapsed"
        command = [str(pyspy), "record", "--pid", str(workers[0]), "--duration", str(seconds), "--rate", "250"]
        command += ["--format", "raw", "--output", str(self.output), "--nonblocking"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self) -> dict | None:
        if self.process is None:
            return None
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        if not self.output or not self.output.exists():
            return None
        return summarise_stacks(self.output.read_text())


def summarise_stacks(collapsed: str, top: int = 12) -> dict:
    """From py-spy's collapsed stacks: where the samples were (self) and which project functions they were under."""
    own, inside, total = Counter(), Counter(), 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] += samples
        for frame in set(frames):
            if any(f"({app}/" in frame or f"/{app}/" in frame for app in PROJECT_APPS) and "-packages/" not in frame:
                inside[frame] += samples
    share = {name: round(100 * samples / max(total, 1), 1) for name, samples in own.most_common(top)}
    project = {name: round(100 * samples / max(total, 1), 1) for name, samples in inside.most_common(top)}
    return {"samples": total, "self_percent": share, "project_inclusive_percent": project}


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
    everything = BASELINES + scenarios
    profiles = {name for name in args.profile.split(",") if name}
    for name, key, signed_in in everything:
        cookie = prepared["reader_cookie"] if signed_in else None
        results[name] = {
            "paths": len(paths[key]),
            "signed_in": signed_in,
            "probe": probe(server.base, paths[key], cookie),
        }
        results[name]["rounds"] = []
    # A short unrecorded run so every worker has loaded its code and opened its connections.
    run_wrk(server.base, files["catalog"], None, argparse.Namespace(**{**vars(args), "seconds": 2}))
    for round_number in range(args.rounds):
        for name, key, signed_in in everything:
            cookie = prepared["reader_cookie"] if signed_in else None
            profiler = Profiler(server, work)
            if round_number == 0 and name in profiles:
                profiler.start(f"{phase}-{name}", args.seconds)
            result = run_wrk(server.base, files[key], cookie, args)
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
    }


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


# --- Report ---------------------------------------------------------------------------------------


def table(results: dict) -> str:
    header = (
        "| phase | scenario | req/s (median, min-max) | x bare | x raw page | p50 ms | p95 ms | p99 ms | errors "
        "| SQL/request (first visit) | KB |"
    )
    lines = [header, "|" + "---|" * 11]
    for phase in ("cached", "uncached"):
        for name, result in results.get(phase, {}).items():
            probe_result = result["probe"]
            lines.append(
                f"| {phase} | {name} | {result['rps_median']:.0f} ({result['rps_min']:.0f}-{result['rps_max']:.0f}) "
                f"| {result['ratio_to_bare']['median']:.2f} | {result['ratio_to_raw_page']['median']:.2f} "
                f"| {result['p50_ms']} | {result['p95_ms']} | {result['p99_ms']} | {result['errors']} "
                f"| {probe_result['queries_max']} ({probe_result['queries_first_visit_max']}) "
                f"| {probe_result['bytes_median'] / 1024:.1f} |"
            )
    return "\n".join(lines)


def targets(results: dict, listings: int) -> list[dict]:
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
    worst = max(
        (r["probe"]["queries_first_visit_max"], name)
        for phase_results in (cached, uncached)
        for name, r in phase_results.items()
        if name not in ("bare", "raw_page")
    )
    check("every page <= 6 SQL queries", worst[0], 6, False, f"most: {worst[1]}")
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
    return checks


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
    lines.append("| target | value | limit | met |")
    lines.append("|---|---|---|---|")
    for target in report["targets"]:
        lines.append(
            f"| {target['target']} | {target['value']} {target['detail']} | {target['limit']} "
            f"| {'yes' if target['met'] else ('no (information)' if target.get('info') else '**no**')} |"
        )
    lines += ["", "```", explain_text(report["explain"]), "```", ""]
    return "\n".join(lines)


# --- Main -----------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    # Stopped with SIGTERM (Ctrl-C, a timeout): still stop gunicorn and retire this run's listings.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="bookstore-bench-"))
    port = free_port()
    env = bench_environment(args, port, work)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    info = machine()

    prepare_database(args)
    original_pool = buffer_pool_bytes(args)
    wanted_pool = args.buffer_pool_mb * 1024 * 1024
    if wanted_pool > original_pool:
        log(f"innodb_buffer_pool_size {original_pool >> 20} MB -> {args.buffer_pool_mb} MB for this run")
        set_buffer_pool(args, wanted_pool)
    info["innodb_buffer_pool_mb"] = buffer_pool_bytes(args) >> 20
    import django

    django.setup()
    from django.core.management import call_command

    from bench import fixtures

    log(f"migrating {args.database}")
    call_command("migrate", verbosity=0)
    if fixtures.bulk_listing_count() != args.listings:
        log(f"loading {args.listings:,} listings with seed_bulk")
        fixtures.load(args.listings)
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(5)
    prepared = fixtures.prepare(rng)
    paths = fixtures.paths(rng, args.listings)
    files = {}
    for key, path_list in paths.items():
        files[key] = work / f"{key}.paths"
        files[key].write_text("\n".join(path_list) + "\n")

    only = {name for name in args.only.split(",") if name}
    cached = [s for s in CACHED if not only or s[0] in only]
    uncached = [s for s in UNCACHED if not only or s[0] in only]
    results: dict = {}
    server = Server(env, port, work / "gunicorn.log")
    try:
        log(f"gunicorn on {server.base} (page cache on)")
        server.start()
        results["cached"] = run_phase("cached", cached, server, prepared, files, paths, args, work)
        if not args.no_buying:
            results["buying"] = run_buying(server, prepared, args, work)
            results["buying"]["race_outcome"] = fixtures.race_outcome(prepared["race_listing"])
        server.stop()
        if not args.no_uncached and uncached:
            log("gunicorn again, with the catalog page cache off")
            server.start({"BENCH_CATALOG_CACHE_SECONDS": "0"})
            results["uncached"] = run_phase("uncached", uncached, server, prepared, files, paths, args, work)
    finally:
        server.stop()
        fixtures.retire(prepared["seller_ids"])
        if buffer_pool_bytes(args) != original_pool:
            set_buffer_pool(args, original_pool)
            log(f"innodb_buffer_pool_size back to {original_pool >> 20} MB")

    import django as django_module
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        mariadb = cursor.fetchone()[0]
    redis_info = __import__("redis").Redis.from_url(args.redis).info("server")
    report = {
        "listings": args.listings,
        "database": args.database,
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "command": " ".join(["make bench", *(["BENCH_ARGS=" + repr(" ".join(sys.argv[1:]))] if sys.argv[1:] else [])]),
        "machine": {**info, "load_average_end": list(os.getloadavg())},
        "versions": f"MariaDB {mariadb}, Redis {redis_info.get('redis_version')}, Python {platform.python_version()}, "
        f"Django {django_module.get_version()}, {info['wrk']}",
        "settings": {k: v for k, v in env.items() if k not in ("SECRET_KEY",)},
        "plan": {"flow_buyers": len(prepared["flow_cookies"]), "rounds": args.rounds, "seconds": args.seconds},
        "paths": paths,
        "results": results,
        "explain": fixtures.explain_plans(args.listings),
    }
    report["targets"] = targets(results, args.listings)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    json_path = RESULTS / f"bench-{stamp}-{args.listings}.json"
    json_path.write_text(json.dumps(report, indent=2, default=str))
    summary = markdown(report)
    (RESULTS / f"latest-{args.listings}.md").write_text(summary)
    print()
    print(summary)
    # gunicorn's own log (errors, tracebacks) next to the results; *.log files are not committed.
    shutil.copy(work / "gunicorn.log", RESULTS / f"bench-{stamp}-{args.listings}-gunicorn.log")
    log(f"wrote {json_path.relative_to(ROOT)} and bench/results/latest-{args.listings}.md in {report['minutes']} min")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(target["met"] for target in report["targets"] if not target.get("info")) else 1


if __name__ == "__main__":
    sys.exit(main())
