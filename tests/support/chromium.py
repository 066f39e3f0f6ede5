"""Headless Chromium (Debian's package) for the tests that render an HTML report: the page is
loaded with a probe script that records JavaScript errors and writes what it measured into
`body[data-probe]`, which `--dump-dom` then returns. The layout fuzzer prints its HTML to PDF
with the same browser and flags (Chrome's "Save as PDF", Skia's PDF backend)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NEEDS_CHROMIUM = "apt-get install -y chromium (`make browser` does)"
# Records every error event from the first script on; a probe reads window.__errors.
ERROR_RECORDER = """<script>
window.__errors = [];
window.addEventListener('error',
  e => window.__errors.push(String(e.message || e.target.src)), true);
</script>"""
TIMEOUT_SECONDS = 120  # a cold Chromium start under a loaded CI machine


# Every headless run: no sandbox (CI containers run as root), no GPU, no network of its own.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run",
]  # fmt: skip


def _flags(viewport: tuple[int, int]) -> list[str]:
    return [
        *FLAGS, f"--window-size={viewport[0]},{viewport[1]}",
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


def print_to_pdf(page: Path, pdf: Path) -> None:
    """Chrome's "Save as PDF" of `page` into `pdf`: the page's own @page rules, no browser header
    or footer; a profile of its own, so parallel calls do not share one."""
    if CHROMIUM is None:
        raise RuntimeError(f"Chromium is not installed: {NEEDS_CHROMIUM}")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        subprocess.run(
            [
                str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}", page.as_uri(),
            ],
            capture_output=True, timeout=TIMEOUT_SECONDS, check=True,
        )  # fmt: skip
