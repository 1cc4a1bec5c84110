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
   copies; both over HTTP through the real pages (bench/checkout.py, a separate process). Seller volume: the API's
   bulk upsert of 1,000 listings and the import of a 20,000-row file, timed (bench/volume.py).
5. Prints a table and the EXPLAIN plans, writes bench/results/bench-<time>-<size>.json and
   bench/results/latest-<size>.md, and stops every process it started.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# Run as a script (make bench), this file's folder is on the path, not the project: the bench package lives there.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, ROOT, log
from bench.database import buffer_pool_bytes, prepare_database, set_buffer_pool
from bench.processes import Server, bench_environment, free_port, machine
from bench.reporting import markdown, targets
from bench.scenarios import CACHED, LONG_TAIL, UNCACHED, run_buying, run_phase


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
    parser.add_argument("--no-longtail", action="store_true", help="skip the long-tail phase (every URL new)")
    parser.add_argument("--no-buying", action="store_true", help="skip the checkout flow and the race")
    parser.add_argument(
        "--no-volume", action="store_true", help="skip the seller volume phase (API bulk of 1,000, import of 20,000)"
    )
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
    if not args.no_longtail:
        from bench import longtail

        # Seeded by the time: a run never repeats the URLs of the one before (their cards would be cached).
        paths.update(longtail.paths(random.Random(time.time_ns()), args.rounds, args.seconds))
    files = {}
    for key, path_list in paths.items():
        files[key] = work / f"{key}.paths"
        files[key].write_text("\n".join(path_list) + "\n")

    only = {name for name in args.only.split(",") if name}
    cached = [s for s in CACHED if not only or s[0] in only]
    uncached = [s for s in UNCACHED if not only or s[0] in only]
    long_tail = [s for s in LONG_TAIL if not args.no_longtail and (not only or s[0] in only)]
    results: dict = {}
    server = Server(env, port, work / "gunicorn.log")
    try:
        log(f"gunicorn on {server.base} (page cache on)")
        server.start()
        results["cached"] = run_phase("cached", cached, server, prepared, files, paths, args, work)
        if long_tail:
            results["longtail"] = run_phase("longtail", long_tail, server, prepared, files, paths, args, work)
        if not args.no_buying:
            results["buying"] = run_buying(server, prepared, args, work)
            results["buying"]["race_outcome"] = fixtures.race_outcome(prepared["race_listing"])
        if not args.no_volume:
            from bench.volume import run_volume

            results["volume"] = run_volume(server.base)
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
    if "longtail_explain" in paths:
        from bench import longtail

        report["worst_filters"] = longtail.worst_filter_plans(paths["longtail_explain"])
    report["targets"] = targets(results, args.listings, report.get("worst_filters"))
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
