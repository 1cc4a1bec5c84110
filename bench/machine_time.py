"""Where a round's CPU went: the machine time of each request, by process, read from /proc around the round.

The bench's two cores serve the whole request: gunicorn runs Django, MariaDB answers its queries, Redis its cache
reads, and wrk sends it. When a scenario keeps the machine busy, its throughput is the cores divided by this time,
and its latency at eight connections follows from that (bench/README.md, "What a target asks of a request"). The
meter reads the CPU time (user and system) of each group of processes before and after a round, and the machine's
busy and idle time from /proc/stat; "other" is what the machine was busy with besides those groups (the kernel's
network work on loopback, the bench's own process). Linux only; elsewhere a round has no machine time.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# The servers the bench talks to, found by their program's name.
SERVICES = {"mariadb": ("mariadbd", "mysqld"), "redis": ("redis-server",)}
GROUPS = ("gunicorn", "mariadb", "redis", "wrk", "other")


def process_seconds(pid: int) -> float:
    """The CPU seconds (user and system) process ``pid`` has used; 0 when it is gone."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the command name: state is field 3 of the whole line, utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, every core: busy is user, nice, system, irq and
    softirq time; the total adds idle, I/O wait and the time the hypervisor gave to others (steal). Guest time is
    already in user time."""
    values = [int(value) for value in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values + [0] * (8 - len(values))
    busy = user + nice + system + irq + softirq
    return busy / TICKS, (busy + idle + iowait + steal) / TICKS


def _processes() -> list[tuple[int, str, int]]:
    """(pid, program name, parent pid) of every process, from /proc (no child process: wrk's time is that of the
    children)."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "stat").read_text()
        except OSError:
            continue
        name = line[line.index("(") + 1 : line.rindex(")")]
        found.append((int(entry.name), name, int(line.rsplit(")", 1)[1].split()[1])))
    return found


def with_children(pid: int, processes: list[tuple[int, str, int]] | None = None) -> list[int]:
    """``pid`` and its children (gunicorn's master and workers), among ``processes`` (default: every process)."""
    found = _processes() if processes is None else processes
    return [pid, *(child for child, _name, parent in found if parent == pid)]


def children_seconds() -> float:
    """CPU seconds of this process's finished children (wrk, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class MachineTime:
    """Start before a round, ``per_request`` after it: milliseconds of CPU per request by group, and the share of
    the machine's time left idle. ``gunicorn_pid``: the server's master (its workers are its children)."""

    def __init__(self, gunicorn_pid: int | None):
        self.gunicorn_pid = gunicorn_pid
        self.available = (PROC / "stat").exists()
        self.before: dict | None = None

    def _read(self) -> dict:
        processes = _processes()
        groups = {name: [pid for pid, program, _ in processes if program in names] for name, names in SERVICES.items()}
        groups["gunicorn"] = with_children(self.gunicorn_pid, processes) if self.gunicorn_pid else []
        seconds = {name: sum(process_seconds(pid) for pid in pids) for name, pids in groups.items()}
        seconds["wrk"] = children_seconds()
        seconds["busy"], seconds["total"] = machine_seconds()
        return seconds

    def start(self) -> None:
        self.before = self._read() if self.available else None

    def per_request(self, requests: int) -> dict | None:
        """The round's machine time per request (ms) by group, with ``machine`` (all busy time) and ``idle`` (the
        share of the machine's time no process used); None without /proc or requests."""
        if self.before is None or requests <= 0:
            return None
        after = self._read()
        used = {name: max(after[name] - self.before[name], 0.0) for name in after}
        named = sum(used[name] for name in GROUPS if name != "other")
        used["other"] = max(used["busy"] - named, 0.0)
        result = {name: round(used[name] * 1000 / requests, 2) for name in GROUPS}
        result["machine"] = round(used["busy"] * 1000 / requests, 2)
        result["idle"] = round(1 - used["busy"] / used["total"], 3) if used["total"] else 0.0
        return result
