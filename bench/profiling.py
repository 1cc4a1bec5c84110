"""py-spy on a gunicorn worker during a scenario, summarised as where the time went."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

from bench.common import PYTHON
from bench.processes import Server

PROJECT_APPS = ("accounts", "bench", "bookstore", "catalog", "core", "jobs", "orders", "shipping")


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
