"""Headless Chromium with the network blocked, as tests/publish/test_report.py opens the report.

A dead proxy and no name resolution block every request to another host; Chromium
writes a NetLog, where each request a page starts shows with the page as its
initiator (the browser's own background requests have none), and each console
message shows in its log.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
)


@dataclass
class Opened:
    dom: str
    console: list[str]
    page_requests: list[str]
    failed: list[str]  # requests that ended in a network error (a missing file included)


def open_offline(page: Path, work: Path, *extra: str) -> Opened:
    """Load a local page offline; its DOM after scripts ran, console lines and requests.

    `extra`: Chromium's flags of what to do with the page (default: dump its DOM once
    its scripts ran)."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium package (apt-get install chromium)"
    work.mkdir(parents=True, exist_ok=True)
    netlog = work / "netlog.json"
    done = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work / 'profile'}",
            f"--log-net-log={netlog}",
            *(extra or ("--virtual-time-budget=5000", "--dump-dom")),
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    log = json.loads(netlog.read_text(encoding="utf-8"))
    types = log["constants"]["logEventTypes"]
    requests, failed, urls = [], [], {}
    for event in log["events"]:
        params = event.get("params", {})
        source = event.get("source", {}).get("id")
        if event["type"] == types["URL_REQUEST_START_JOB"] and "url" in params:
            if params.get("initiator") == "not an origin":
                continue
            requests.append(params["url"])
            urls[source] = params["url"]
        elif source in urls and params.get("net_error", 0) < 0:
            failed.append(urls[source])
    return Opened(done.stdout, console, requests, sorted(set(failed)))
