"""The parent side of the bench: the measurements (a)–(g), each in a fresh interpreter."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from measure import RESULT_MARK, Result
from workload import BUDGET, REPORT, ROOT, SAMPLES, Workload, build_workload, snapshot_code

ENTRY = Path(__file__).resolve().with_name("bench.py")


def _outcome(stdout: str, stderr: str, status: int) -> Result:
    """The child's result line, or an error that carries the end of its stderr."""
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT_MARK)]
    if lines:
        result: Result = json.loads(lines[-1][len(RESULT_MARK) :])
    else:
        result = {"error": f"exit status {status}, no result"}
    if "error" in result:
        result["stderr_tail"] = "\n".join(stderr.strip().splitlines()[-6:])
    return result


class Steps:
    """Runs the measurements in order and collects their results and caveats."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.code = work / "code"
        self.results: Result = {}
        self.notes: list[str] = []

    def spawn(self, label: str, job: Result) -> Result:
        """Run one job in a fresh interpreter; its wall time includes start-up and imports."""
        env = dict(os.environ, PYTHONPATH=str(self.code))
        command = [sys.executable, str(ENTRY), "--child", json.dumps(job)]
        live = sys.stdout.isatty()
        if live:
            print(f"  … {label}", end="", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=self.work,
                env=env,
                capture_output=True,
                text=True,
                timeout=self.args.timeout,
            )
            stdout, stderr, status = done.stdout, done.stderr, done.returncode
        except subprocess.TimeoutExpired as expired:
            partial = expired.stdout or ""
            stdout = partial.decode() if isinstance(partial, bytes) else partial
            stderr, status = f"timed out after {expired.timeout} s", -1
        wall = time.perf_counter() - started
        result = _outcome(stdout, stderr, status)
        start_of_line = "\r" if live else ""
        if "error" in result:
            print(f"{start_of_line}  ✗ {label}: {result['error']}", flush=True)
        else:
            print(f"{start_of_line}  ✓ {label}: {wall:.1f} s", flush=True)
        result["wall_seconds"] = wall
        return result

    def pipeline(
        self,
        label: str,
        raw: Path,
        out: Path,
        workers: int,
        stage: str = "serve",
        gates: bool = True,
    ) -> Result:
        """A `pipeline run` from `raw` into `out`, up to `stage`, with or without its gates."""
        job = {
            "kind": "pipeline",
            "raw": str(raw),
            "out": str(out),
            "workers": workers,
            "stage": stage,
            "gates": gates,
        }
        return self.spawn(label, job)

    def run_all(self) -> None:
        """Machine, workload, then (a)–(g); notes say what makes the figures less reliable."""
        self.results["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": os.getloadavg(),
        }
        self.results["options"] = {"quick": self.args.quick, "workers": self.args.workers}
        print(f"bench work folder: {self.work}")
        snapshot_code(self.code)
        workload = build_workload(self.work, self.args.quick, self.args.copies)
        self.results["workload"] = workload.description
        load = os.getloadavg()[0]
        if load > 0.5:
            self.notes.append(
                f"load average {load:.2f} before the bench: other processes share the CPUs, "
                "figures are pessimistic"
            )
        self.on_samples(workload.samples)
        self.on_scaling_set(workload.scale)
        self.other_tools()
        self.memory(workload)
        self.results["machine"]["load_average_after"] = os.getloadavg()
        self.results["notes"] = self.notes

    def on_samples(self, samples: Path) -> None:
        """(a) cold, extract+parse alone, (b) warm, (c) after a touch and after a byte change."""
        workers = self.args.workers
        print("pipeline on the sample corpus")
        out = self.work / "out-samples"
        cold = self.pipeline(f"(a) cold, {workers} workers", samples, out, workers)
        self.results["cold"] = cold
        if "error" in cold:
            # Still measure extract + parse alone, so the throughput figures exist.
            self.notes.append(
                "the cold full run failed; extract+parse figures come from a cold "
                "`--stage parse` run instead"
            )
            self.results["cold_parse_only"] = self.pipeline(
                "(a') cold to --stage parse",
                samples,
                self.work / "out-samples-parse",
                workers,
                stage="parse",
            )
        self.results["cold_without_gates"] = self.pipeline(
            f"(f) cold without gates, {workers} workers",
            samples,
            self.work / "out-samples-no-gates",
            workers,
            gates=False,
        )
        files = [str(p) for p in sorted(samples.glob("*.pdf"))]
        self.results["extract_parse"] = self.spawn(
            f"(a) extract+parse alone, {workers} workers",
            {"kind": "extract_parse", "files": files, "workers": workers},
        )
        self.results["warm"] = self.pipeline("(b) warm rerun", samples, out, workers)
        os.utime(samples / BUDGET, ns=(time.time_ns(), time.time_ns()))
        touched = self.pipeline(f"(c) rerun after touching {BUDGET}", samples, out, workers)
        self.results["touched"] = {**touched, "file": BUDGET}
        with (samples / REPORT).open("ab") as handle:
            handle.write(b"\n%bench-edit\n")
        changed = self.pipeline(f"(c) rerun after changing {REPORT}'s bytes", samples, out, workers)
        self.results["changed"] = {**changed, "file": REPORT}

    def on_scaling_set(self, scale: Path) -> None:
        """(d) the same larger set with 1 and with 2 workers."""
        print(f"scaling set ({self.results['workload']['scale']['pages']} pages)")
        self.results["scale"] = {
            str(n): self.pipeline(
                f"(d) cold, {n} worker(s)", scale, self.work / f"out-scale-{n}", n
            )
            for n in (1, 2)
        }

    def other_tools(self) -> None:
        """(e) pdfplumber and camelot on every Nth page, pypdfium2 on every page."""
        print("other tools on the same sample PDFs (one process each)")
        files = [str(ROOT / "raw" / name) for name in SAMPLES]
        pages = self.results["workload"]["samples"]["files"]
        for tool, step in (
            ("pdfplumber", self.args.plumber_step),
            ("camelot", self.args.camelot_step),
        ):
            subset = [
                (path, list(range(1, pages[name] + 1, step)))
                for path, name in zip(files, SAMPLES, strict=True)
            ]
            which = "every page" if step == 1 else f"every {step}th page"
            result = self.spawn(f"(e) {tool}, {which}", {"kind": tool, "files": subset})
            self.results[tool] = {**result, "page_step": step}
        self.results["pdfium"] = self.spawn(
            "(e) pypdfium2 char boxes", {"kind": "pdfium", "files": files}
        )

    def memory(self, workload: Workload) -> None:
        """(g) a long PDF and a short one, to show memory is bounded by pages, not documents."""
        print("memory: a long PDF vs a short one")
        self.results["memory"] = {
            str(count): self.pipeline(
                f"(g) cold, {pdf.pages}-page PDF",
                pdf.raw,
                self.work / f"out-mem{count}",
                self.args.workers,
            )
            for count, pdf in workload.memory.items()
        }
