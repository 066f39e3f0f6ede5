"""The printed table: one section per group of steps, then the targets and the notes."""

from __future__ import annotations

from measure import Result

WIDTH = 96
LABEL = 40  # width of a run's label column
TOOL_LABEL = 34  # width of a tool's label column in (e)
STAGES = ("ingest", "extract", "parse", "curate", "serve", "gates")
TOOL_NAMES = {
    "pdfplumber": "pdfplumber extract_words",
    "camelot": "camelot stream",
    "pdfium": "pypdfium2 char boxes (floor)",
}


def _mib(size: int | None) -> str:
    return f"{size / (1 << 20):.0f} MiB" if size else "-"


class Table:
    """The lines of the table, with the one layout every pipeline run shares."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)

    def rule(self, char: str = "-") -> None:
        self.add(char * WIDTH)

    def detail(self, text: str) -> None:
        """A line under the run it belongs to, indented past the label column."""
        self.add(f"{'':<{LABEL}}   {text}")

    def run(self, label: str, run: Result, pages: int | None = None) -> None:
        """Wall and run time, pages/s when `pages` is given, peak RSS, and the stage seconds."""
        if "error" in run:
            self.add(f"{label:<{LABEL}} FAILED: {run['error']}")
            return
        s = run.get("stage_seconds", {})
        stage_text = "  ".join(f"{k} {s[k]:.2f}" for k in STAGES if k in s)
        rate = f"{pages / run['run_seconds']:.1f} p/s" if pages and run["run_seconds"] else ""
        self.add(
            f"{label:<{LABEL}} wall {run['wall_seconds']:6.2f} s  run {run['run_seconds']:6.2f} s"
            f"  {rate:>10}  peak RSS {_mib(run['rss_tree_peak'])} "
            f"(main {_mib(run['rss_main'])}, worker {_mib(run['rss_worker_max'])})"
        )
        if stage_text and not run.get("up_to_date"):
            self.detail(f"stages s: {stage_text}")


def _header(table: Table, r: Result) -> None:
    machine, w = r["machine"], r["workload"]
    table.add("")
    table.rule("=")
    table.add(
        f"budget-etl bench  ({machine['cpus']} CPUs, Python {machine['python']}, "
        f"load before {machine['load_average_before'][0]:.2f}, "
        f"after {machine['load_average_after'][0]:.2f})"
    )
    table.add(
        f"samples: {w['samples']['pages']} pages in {len(w['samples']['files'])} PDFs; "
        f"scaling set: {w['scale']['pages']} pages in {w['scale']['files']} PDFs"
    )
    table.rule()


def _samples(table: Table, r: Result, f: Result, workers: int) -> None:
    """(a) cold with its gates share (f), (b) warm, (c) the two reruns."""
    pages = r["workload"]["samples"]["pages"]
    table.run(f"(a) cold, {workers} workers", r["cold"], pages)
    if "cold_parse_only" in r:
        table.run("(a') cold, --stage parse", r["cold_parse_only"], pages)
    if "extract_parse_pages_per_s" in f:
        table.detail(
            f"extract+parse {f['extract_parse_seconds']:.2f} s = "
            f"{f['extract_parse_pages_per_s']:.1f} pages/s"
        )
    if "gates_share" in f:
        table.add(
            f"{'(f) gates share of the cold run':<{LABEL}} {100 * f['gates_share']:.0f} % "
            "by the gates' own clocks (the ingest gate's runs beside the extraction)"
        )
    if "gates_added_share" in f:
        table.run(
            "(f) cold without gates", r["cold_without_gates"], r["workload"]["samples"]["pages"]
        )
        table.detail(
            f"the gates add {f['gates_added_seconds']:.2f} s = "
            f"{100 * f['gates_added_share']:.0f} % of the cold run's time"
        )
    table.run("(b) warm rerun", r["warm"])
    if "error" not in r["warm"]:
        table.detail(f"up to date: {r['warm']['up_to_date']}")
    table.run(f"(c) touched {r['touched']['file']}", r["touched"])
    table.run(f"(c) changed {r['changed']['file']}", r["changed"])
    if "error" not in r["changed"]:
        table.detail(f"reused from cache: {r['changed']['reused']}")
    table.rule()


def _scaling(table: Table, r: Result, f: Result) -> None:
    """(d) each worker count, its throughput, and the 2/1 ratio."""
    for n, run in r["scale"].items():
        table.run(f"(d) scaling set, {n} worker(s)", run, r["workload"]["scale"]["pages"])
    for n, t in f.get("scale_throughput", {}).items():
        table.detail(
            f"{n} worker(s): {t['run_pages_per_s']:.1f} p/s whole run, "
            f"{t['extract_pages_per_s'] or 0:.1f} p/s extract stage"
        )
    if "scale_ratio_run" in f:
        table.add(
            f"{'(d) 2 workers / 1 worker':<{LABEL}} {f['scale_ratio_run']:.2f}x whole run, "
            f"{f.get('scale_ratio_extract', 0):.2f}x extract stage"
        )
    table.rule()


def _ratio(tool: Result, key: str) -> str:
    return f"{tool[key]:.2f}x" if key in tool else "-"


def _tools(table: Table, r: Result, f: Result) -> None:
    """(e) each tool beside the pipeline's extract+parse, with how its time was obtained."""
    pages = r["workload"]["samples"]["pages"]
    table.add(
        f"{'(e) tool on the sample PDFs':<{TOOL_LABEL}}{'seconds':>9}{'pages/s':>9}"
        f"{'tool/pipeline':>15}{'  (1 worker)':>13}   peak RSS"
    )
    if "extract_parse_seconds" in f:
        table.add(
            f"{'pipeline extract+parse':<{TOOL_LABEL}}{f['extract_parse_seconds']:9.2f}"
            f"{f['extract_parse_pages_per_s']:9.1f}{'1.00x':>15}"
        )
    for key, label in TOOL_NAMES.items():
        t = f.get("tools", {}).get(key)
        if t is None:
            table.add(f"{label:<{TOOL_LABEL}} FAILED: {r[key].get('error')}")
            continue
        table.add(
            f"{label:<{TOOL_LABEL}}{t['seconds_all_pages']:9.2f}{t['pages_per_s']:9.1f}"
            f"{_ratio(t, 'ratio_to_pipeline'):>15}{_ratio(t, 'ratio_to_pipeline_1_worker'):>13}"
            f"   {_mib(t['rss_peak'])}"
        )
        if t["extrapolated"]:
            table.add(
                f"{'':<{TOOL_LABEL}}  timed on {t['measured_pages']} of {pages} pages "
                f"(every {r[key].get('page_step', '?')}th page, "
                f"{t['measured_seconds']:.1f} s), extrapolated per page"
            )
    table.add(
        f"{'':<{TOOL_LABEL}}  tool/pipeline > 1: the pipeline is faster. Tools run in one process; "
        "'(1 worker)' compares per page with the 1-worker pipeline of (d)."
    )
    table.rule()


def _memory(table: Table, r: Result, f: Result) -> None:
    """(g) the short and the long PDF, and the ratios of their peaks."""
    for count, run in r["memory"].items():
        pages = r["workload"]["memory"][count]["pages"]
        table.run(f"(g) {pages}-page PDF", run, pages)
    if "memory_ratio_tree" in f:
        table.add(
            f"{'(g) long / short peak RSS':<{LABEL}} tree {f['memory_ratio_tree']:.2f}x, "
            f"main {f['memory_ratio_main']:.2f}x, worker {f['memory_ratio_worker']:.2f}x"
        )
    table.rule("=")


def _targets(table: Table, targets: list[Result], notes: list[str]) -> None:
    table.add(f"{'target (issue 4)':<54}{'measured':>12}  {'goal':<24}status")
    for t in targets:
        value = "-" if t["measured"] is None else f"{t['measured']:.2f}"
        table.add(f"{t['target']:<54}{value:>12}  {t['goal']:<24}{t['status']}")
    for note in notes:
        table.add(f"note: {note}")


def print_table(r: Result, f: Result, targets: list[Result], workers: int) -> None:
    """The table of the raw results `r`, the figures `f` and the targets."""
    table = Table()
    _header(table, r)
    _samples(table, r, f, workers)
    _scaling(table, r, f)
    _tools(table, r, f)
    _memory(table, r, f)
    _targets(table, targets, r["notes"])
    print("\n".join(table.lines))
