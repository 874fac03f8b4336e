"""Percentiles of timed requests and the mixed load of concurrent clients."""

from __future__ import annotations

import http.client
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.client import Answer, Client


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` from 0 to 100) of the values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


@dataclass
class Figures:
    """Timings of one read, in milliseconds, with its failures."""

    name: str
    path: str
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    raw_seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Count, p50, p95, p99 and max in ms; the plain SQL's p50 and the difference."""
        ms = [s * 1000 for s in self.seconds]
        raw = percentile([s * 1000 for s in self.raw_seconds], 50) if self.raw_seconds else None
        p50 = percentile(ms, 50)
        return {
            "name": self.name,
            "path": self.path,
            "requests": len(ms),
            "errors": self.errors,
            "p50_ms": p50,
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "max_ms": max(ms) if ms else math.nan,
            "raw_sql_p50_ms": raw,
            "overhead_ms": None if raw is None else p50 - raw,
        }


def timed(client: Client, name: str, paths: Callable[[int], str], runs: int) -> Figures:
    """Request a path `runs` times after two warm-ups; `paths(n)` gives the n-th path."""
    figures = Figures(name, paths(0))
    for number in range(-2, runs):
        answer = client.get(paths(max(number, 0)))
        if number < 0:
            continue
        figures.seconds.append(answer.seconds)
        figures.errors += answer.status != 200
    return figures


@dataclass
class Load:
    """What the concurrent clients did: every answer's time, by read, and the failures."""

    clients: int
    seconds: float
    by_read: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, answer: Answer | None) -> None:
        """Keep one answer (None: the request failed without one)."""
        with self.lock:
            if answer is None or answer.status != 200:
                key = "no answer" if answer is None else f"{name}: HTTP {answer.status}"
                self.errors[key] = self.errors.get(key, 0) + 1
            if answer is not None:
                self.by_read.setdefault(name, []).append(answer.seconds)

    def summary(self) -> dict[str, Any]:
        """Throughput, p50, p99 and max over every request; errors by kind."""
        ms = [s * 1000 for times in self.by_read.values() for s in times]
        return {
            "clients": self.clients,
            "seconds": self.seconds,
            "requests": len(ms),
            "throughput_rps": len(ms) / self.seconds if self.seconds else math.nan,
            "p50_ms": percentile(ms, 50),
            "p99_ms": percentile(ms, 99),
            "max_ms": max(ms) if ms else math.nan,
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(self.errors),
            "requests_by_read": {name: len(times) for name, times in self.by_read.items()},
        }


def mixed_load(
    client: Client, reads: dict[str, Callable[[int], str]], clients: int, seconds: float
) -> Load:
    """`clients` threads each sending reads chosen at random, back to back, for `seconds`."""
    load = Load(clients, seconds)
    names = sorted(reads)
    start = threading.Barrier(clients + 1)

    def work(number: int) -> None:
        rng = random.Random(number)  # noqa: S311  # nosec B311 # a reproducible mix of reads
        start.wait()
        deadline = time.perf_counter() + seconds
        sent = 0
        while time.perf_counter() < deadline:
            name = rng.choice(names)
            try:
                load.add(name, client.get(reads[name](number * 1000 + sent)))
            except (OSError, http.client.HTTPException):
                load.add(name, None)
            sent += 1
        client.close()

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load
