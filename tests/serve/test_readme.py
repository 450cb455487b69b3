"""The README's CDS Hooks example, run verbatim: `fibrolang serve` as a newcomer
starts it (a subprocess, on a free port instead of 8000), then the README's curl."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from hook_requests import free_port

ROOT = Path(__file__).resolve().parents[2]


def readme_block(after: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Serving CDS Hooks") :]
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", section, re.S) if b.startswith(after)]
    return str(block)


def test_the_readme_serve_and_curl_example_works() -> None:
    serve = readme_block(".venv/bin/fibrolang serve").strip()
    assert serve == ".venv/bin/fibrolang serve guidelines/fibromyalgia.fibro"
    curl = readme_block("curl")
    assert shutil.which("curl"), "curl is installed by scripts/dev setup"
    port = free_port()
    command = [sys.executable, "-m", "compiler.cli", *serve.split()[1:], "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/cds-services", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "fibrolang serve did not start"
            time.sleep(0.1)
        ran = subprocess.run(
            ["bash", "-c", curl.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        )
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    cards = json.loads(ran.stdout)["cards"]
    summaries = [card["summary"] for card in cards]
    assert "Start Pregabalin 300 to 450 mg/day divided doses" in summaries or summaries == [
        "Cannot decide: missing eGFR"  # after December 2027, the sample's eGFR is too old
    ]
    lines = [json.loads(line) for line in log.decode().splitlines() if line.startswith("{")]
    assert any(line["event"] == "answered" for line in lines)
    for line in lines:  # structured logs, and no patient data in them
        assert "example" not in json.dumps(line) and "1974" not in json.dumps(line)
