"""Headless Chromium (Debian's package) for the tests that render an HTML report: the page is
loaded with a probe script that records JavaScript errors and writes what it measured into
`body[data-probe]`, which `--dump-dom` then returns."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NEEDS_CHROMIUM = "apt-get install -y chromium (the Makefile does)"
# Records every error event from the first script on; a probe reads window.__errors.
ERROR_RECORDER = """<script>
window.__errors = [];
window.addEventListener('error',
  e => window.__errors.push(String(e.message || e.target.src)), true);
</script>"""
TIMEOUT_SECONDS = 120  # a cold Chromium start under a loaded CI machine


def _flags(viewport: tuple[int, int]) -> list[str]:
    return [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", f"--window-size={viewport[0]},{viewport[1]}",
        "--virtual-time-budget=10000",  # lets the page's scripts finish before the dump
    ]  # fmt: skip


def probe(page: Path, script: str, viewport: tuple[int, int]) -> dict[str, Any]:
    """Render `page` with the error recorder and `script` first in its body; the JSON the script
    stored in `body[data-probe]`."""
    probed = page.with_name(f"probe-{page.name}")
    text = page.read_text(encoding="utf-8")
    probed.write_text(text.replace("<body>", "<body>" + ERROR_RECORDER + script, 1))
    dom = subprocess.run(
        [str(CHROMIUM), *_flags(viewport), "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=True,
    ).stdout  # fmt: skip
    found = re.search(r"data-probe=\"([^\"]+)\"", dom)
    assert found, dom[:500]
    facts: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"'))
    return facts


def screenshot(page: Path, shot: Path, viewport: tuple[int, int]) -> Path:
    subprocess.run(
        [str(CHROMIUM), *_flags(viewport), f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=TIMEOUT_SECONDS, check=True,
    )  # fmt: skip
    return shot
