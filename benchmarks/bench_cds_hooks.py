"""Benchmark the CDS Hooks service: patient-view latency on loopback, under load.

    python benchmarks/bench_cds_hooks.py [--requests 1000] [--concurrency 8] \
        [--guideline guidelines/fibromyalgia.fibro]

Starts ``fibrolang serve`` (uvicorn) in a subprocess on a free 127.0.0.1 port,
waits for ``GET /cds-services``, then sends ``--requests`` patient-view requests
from ``--concurrency`` threads, each with its own HTTP connection (httpx). The
requests are the CDS Hooks requests of the witness and boundary patients of the
generated suite (tests/generated), in turn, each prefetch holding the patient's
FHIR resources (tests/fhir/bundle_writer.py). 20 warm-up requests are not
counted. Every answer must be HTTP 200 with a card list, or the run fails. The
latency of a request is measured by the client, from sending to the whole
answer read. It stops by itself and stops the server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "fhir"), str(ROOT / "tests" / "serve")]

from hook_requests import free_port, request_of  # noqa: E402
from test_round_trip import PATIENTS  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--guideline", type=Path, default=ROOT / "guidelines" / "fibromyalgia.fibro")
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    graph = json.loads((ROOT / "guidelines" / "fibromyalgia.graph.json").read_text(encoding="utf-8"))
    now = datetime.now(UTC)
    bodies = [json.dumps(request_of(graph, patient, now)).encode() for _, patient in PATIENTS]
    port = free_port()
    command = [sys.executable, "-m", "compiler.cli", "serve", str(options.guideline), "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/cds-services/fibromyalgia-patient-view"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/cds-services", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("the server did not start", file=sys.stderr)
                return 1
            time.sleep(0.1)
        headers = {"Content-Type": "application/json"}
        with httpx.Client() as warm:
            for body in bodies[:20]:
                warm.post(url, content=body, headers=headers).raise_for_status()
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        counter = iter(range(options.requests))

        def worker() -> None:
            with httpx.Client(timeout=30) as client:
                while True:
                    with lock:
                        number = next(counter, None)
                    if number is None:
                        return
                    body = bodies[number % len(bodies)]
                    started = time.perf_counter()
                    answer = client.post(url, content=body, headers=headers)
                    elapsed = time.perf_counter() - started
                    ok = answer.status_code == 200 and isinstance(answer.json().get("cards"), list)
                    with lock:
                        latencies.append(elapsed * 1000)
                        if not ok:
                            failures.append(f"{answer.status_code}: {answer.text[:200]}")

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(options.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failures:
        print(f"{len(failures)} requests failed, e.g. {failures[0]}", file=sys.stderr)
        return 1
    load_after = os.getloadavg()[0]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}"
    )
    print(f"1-minute load average before/after: {load_before:.2f}/{load_after:.2f}")
    print(
        f"{options.requests} patient-view requests, {options.concurrency} concurrent, "
        f"{len(bodies)} patients in turn"
    )
    print(f"throughput: {options.requests / wall:.0f} requests/s ({wall:.1f} s)")
    print(
        f"latency ms: p50 {percentile(latencies, 0.50):.1f}, p95 {percentile(latencies, 0.95):.1f}, "
        f"p99 {percentile(latencies, 0.99):.1f}, max {max(latencies):.1f}, "
        f"mean {statistics.fmean(latencies):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
