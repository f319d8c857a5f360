"""Helpers shared by the benchmark scripts: the shared data location, a command timed with the peak memory of
its process tree, and the JSON result line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
BBC_NEWS = os.path.join(SHARED, "data", "bbc_news.jsonl")


def require_shared(path: str) -> str:
    """The path, or exit 0 with a clear message when the shared data is absent."""
    if not os.path.exists(path):
        print(f"skipped: shared data not found at {os.path.abspath(path)}")
        print(json.dumps({"skipped": True, "reason": f"missing {os.path.abspath(path)}"}))
        sys.exit(0)
    return path


def bbc_articles(limit: int | None = None) -> list[dict]:
    """BBC News articles from ../shared (id, category, title, text with one paragraph per line)."""
    with open(require_shared(BBC_NEWS), encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    return articles[:limit] if limit else articles


def print_result(result: dict) -> None:
    """Figures as the last line of output, one JSON object."""
    print(json.dumps(result))


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _tree_sum(root_pid: int, value_of, include_root: bool = True) -> float:
    """The sum of `value_of(stat fields)` over a process and all its live descendants, from /proc."""
    children: dict[int, list[int]] = {}
    values: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        values[pid] = value_of(fields)
    total = values.get(root_pid, 0) if include_root else 0
    stack = list(children.get(root_pid, []))
    while stack:
        pid = stack.pop()
        total += values.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def tree_rss_bytes(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    return int(_tree_sum(root_pid, lambda fields: int(fields[21]) * PAGE_SIZE))


def run_measured(command: list[str], **popen_kwargs) -> tuple[float, int, int, str]:
    """Run a command from the project root with its output captured: (seconds, peak resident bytes of its
    process tree, sampled every 0.1 s, exit code, output)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             **{"stderr": subprocess.STDOUT, **popen_kwargs})
    peak = [0]

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], tree_rss_bytes(child.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    return seconds, peak[0], child.returncode, out


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root_pid: int, include_root: bool = True) -> float:
    """User + system CPU seconds of a process and all its live descendants so far, from /proc."""
    return _tree_sum(root_pid, lambda fields: (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, include_root)
