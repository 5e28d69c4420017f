"""The benchmarks never rot: each runs at its smoke size (``--smoke``) on both databases,
finishes with exit status 0 and prints its figures, the ratio beside its baseline first.

Each runs as its own process, as a person runs it (``python -m bench.…``): the benchmarks
measure their own process (its memory, its garbage collector) and set up its environment,
which a test must not share. Their scratch databases are made where the suite makes its
own (``TEST_POSTGRES_URL``), and they run as of the test's clock (``--now``), never the
machine's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.clock import TestClock
from tests.databases import POSTGRES_ENV, postgres_admin_url

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"(\d+(?:\.\d+)?)"


def run_benchmark(module: str, db_kind: str, clock: TestClock) -> str:
    """Run ``bench.<module>`` at its smoke size on ``db_kind`` as of the test's clock; its
    standard output, once it has ended with exit status 0."""
    env = dict(os.environ)
    if db_kind == "postgresql":
        env[POSTGRES_ENV] = postgres_admin_url()
    command = [sys.executable, "-m", f"bench.{module}", "--smoke", "--db", db_kind]
    command += ["--now", clock().isoformat()]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(command[1:])} ended with exit status {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-5000:]}"
    )
    return done.stdout


def lines_matching(pattern: str, output: str) -> list[dict[str, str]]:
    return [m.groupdict() for m in re.finditer(pattern, output, flags=re.MULTILINE)]


def test_the_fire_benchmark_runs_at_smoke_size_and_prints_its_ratio(db_kind, clock):
    output = run_benchmark("fire", db_kind, clock)

    ratios = lines_matching(
        rf"^(?P<kind>\w+)\s+fire\(\) (?P<pattern>\w+)\s+(?P<rate>{NUMBER}) hops/s\s+"
        rf"raw\s+(?P<raw>{NUMBER}) hops/s\s+ratio (?P<ratio>{NUMBER})\s+"
        rf"\((?P<hops>\d+) hops each\)$",
        output,
    )
    assert sorted(line["pattern"] for line in ratios) == ["request", "worker"], output
    for line in ratios:
        assert line["kind"] == db_kind
        assert int(line["hops"]) == 100
        assert float(line["rate"]) > 0 and float(line["raw"]) > 0
        assert float(line["ratio"]) > 0
    (memory,) = lines_matching(
        rf"^memory\s+RSS before (?P<before>{NUMBER}) MiB, after (?P<fires>\d+) fire\(\) calls "
        rf"(?P<after>{NUMBER}) MiB",
        output,
    )
    assert int(memory["fires"]) == 200
    assert float(memory["before"]) > 0 and float(memory["after"]) > 0


def test_the_scheduler_benchmark_runs_at_smoke_size_and_prints_its_ratios(db_kind, clock):
    output = run_benchmark("scheduler", db_kind, clock)

    assert output.splitlines()[0] == db_kind
    searches = lines_matching(
        rf"^\s+(?P<size>\d+)\s+(?P<due>\d+) due ids\s+tick\s+(?P<tick>{NUMBER}) ms "
        rf"\(median\s+{NUMBER}\)\s+raw\s+(?P<raw>{NUMBER}) ms \(median\s+{NUMBER}\)\s+"
        rf"ratio\s+(?P<ratio>{NUMBER}) \(median\s+(?P<median>{NUMBER})\)",
        output,
    )
    # The tick's batch and every due row, among 2,000 deadlines and among 1,000: 1% are due.
    assert [(s["size"], s["due"]) for s in searches] == [
        ("2000", "20"),
        ("2000", "20"),
        ("1000", "10"),
        ("1000", "10"),
    ], output
    for search in searches:
        assert float(search["tick"]) > 0 and float(search["raw"]) > 0
        assert float(search["ratio"]) > 0 and float(search["median"]) > 0
    (handling,) = lines_matching(
        r"^\s+handle_due_deadlines: (?P<handled>\d+) due deadlines of real cases in "
        rf"{NUMBER} s = (?P<rate>\d+) per second",
        output,
    )
    assert int(handling["handled"]) == 20
    assert int(handling["rate"]) > 0


def test_the_web_benchmark_runs_at_smoke_size_with_a_valid_chain_and_prints_its_ratios(
    db_kind, clock
):
    output = run_benchmark("web", db_kind, clock)

    (chain,) = lines_matching(
        r"^(?P<kind>\w+)\s+audit chain: (?P<verdict>.+) \((?P<events>\d+) events\)$", output
    )
    assert (chain["kind"], chain["verdict"]) == (db_kind, "valid")
    # the cases' 1,000 events continue the chain the councils' seats began
    assert int(chain["events"]) > 1000
    pages = lines_matching(
        rf"^(?P<kind>\w+)\s+(?P<page>dashboard|case list|case page)\s+median\s+"
        rf"(?P<median>{NUMBER}) ms\s+p99\s+{NUMBER} ms\s+(?P<statements>\d+) statements\s+"
        rf"raw median\s+(?P<raw>{NUMBER}) ms\s+p99\s+{NUMBER} ms\s+ratio\s+(?P<ratio>{NUMBER})$",
        output,
    )
    assert [p["page"] for p in pages] == ["dashboard", "case list", "case page"], output
    for page in pages:
        assert page["kind"] == db_kind
        assert int(page["statements"]) > 0
        assert float(page["median"]) > 0 and float(page["raw"]) > 0
        assert float(page["ratio"]) > 0


def test_the_load_benchmark_runs_at_smoke_size_without_errors_and_prints_its_ratio(db_kind, clock):
    output = run_benchmark("load", db_kind, clock)

    phases = {
        p["phase"]: p
        for p in lines_matching(
            rf"^(?P<phase>ceiling \(/health\)|mix)\s+(?P<rps>{NUMBER})\s+(?P<requests>\d+)\s+"
            r"(?P<errors>\d+)\s",
            output,
        )
    }
    assert sorted(phases) == ["ceiling (/health)", "mix"], output
    for phase in phases.values():
        assert int(phase["requests"]) > 0 and float(phase["rps"]) > 0
        assert int(phase["errors"]) == 0, output
    (ratio,) = lines_matching(
        rf"^(?P<kind>\w+)\s+mix / ceiling\s+ratio (?P<ratio>{NUMBER}) ", output
    )
    assert ratio["kind"] == db_kind
    assert float(ratio["ratio"]) > 0
