"""Figures derived from the raw measurements, and the targets of issue 4 they are judged by.

A failed measurement carries an "error" key; every figure that needs it is left out rather than
guessed, and its target reads "n/a".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from measure import Result

GIB = 1 << 30
TOOLS = ("pdfplumber", "camelot", "pdfium")


def _per_s(pages: int, seconds: float | None) -> float | None:
    """Pages per second, or None when there is no (or zero) time to divide by."""
    return pages / seconds if seconds else None


def sample_figures(r: Result) -> Result:
    """Extract+parse throughput on the samples, the cold run and its gates share, the reruns."""
    pages = r["workload"]["samples"]["pages"]
    figures: Result = {}
    cold = r["cold"] if "error" not in r["cold"] else r.get("cold_parse_only", {})
    stages = cold.get("stage_seconds", {})
    alone = r.get("extract_parse", {})
    if "error" not in alone and alone.get("work_seconds"):
        figures["extract_parse_seconds"] = alone["work_seconds"]
        figures["extract_parse_pages_per_s"] = pages / alone["work_seconds"]
    elif "extract" in stages and "parse" in stages:
        figures["extract_parse_seconds"] = stages["extract"] + stages["parse"]
        figures["extract_parse_pages_per_s"] = _per_s(pages, figures["extract_parse_seconds"])
    if "error" not in r["cold"]:
        figures["cold_wall_seconds"] = r["cold"]["wall_seconds"]
        figures["cold_run_seconds"] = r["cold"]["run_seconds"]
        figures["gates_share"] = stages.get("gates", 0.0) / r["cold"]["run_seconds"]
        baseline = r.get("cold_without_gates", {})
        if "error" not in baseline and "run_seconds" in baseline:
            # what the gates add to the wall time: the ingest gate's clock above also counts
            # its thread beside the extraction, which overlaps the page workers
            added = r["cold"]["run_seconds"] - baseline["run_seconds"]
            figures["gates_added_seconds"] = added
            figures["gates_added_share"] = added / r["cold"]["run_seconds"]
    for key in ("warm", "touched", "changed"):
        if "error" not in r[key]:
            figures[f"{key}_wall_seconds"] = r[key]["wall_seconds"]
            figures[f"{key}_run_seconds"] = r[key]["run_seconds"]
    return figures


def _throughput(run: Result, pages: int) -> Result:
    """Pages/s of one scaling run: whole run, wall, extract stage, extract + parse stages."""
    s = run["stage_seconds"]
    both = s["extract"] + s["parse"] if "extract" in s and "parse" in s else None
    return {
        "run_pages_per_s": pages / run["run_seconds"],
        "wall_pages_per_s": pages / run["wall_seconds"],
        "extract_pages_per_s": _per_s(pages, s.get("extract")),
        "extract_parse_pages_per_s": pages / both if both is not None else None,
    }


def scaling_figures(r: Result) -> Result:
    """Throughput with 1 and 2 workers and their ratios; the 1-worker seconds per page."""
    pages = r["workload"]["scale"]["pages"]
    throughput = {n: _throughput(run, pages) for n, run in r["scale"].items() if "error" not in run}
    figures: Result = {"scale_throughput": throughput}
    if "1" in throughput and "2" in throughput:
        one, two = throughput["1"], throughput["2"]
        figures["scale_ratio_run"] = two["run_pages_per_s"] / one["run_pages_per_s"]
        if one["extract_pages_per_s"] and two["extract_pages_per_s"]:
            figures["scale_ratio_extract"] = two["extract_pages_per_s"] / one["extract_pages_per_s"]
        if one["extract_parse_pages_per_s"]:
            figures["one_worker_extract_parse_s_per_page"] = 1 / one["extract_parse_pages_per_s"]
    return figures


def _tool_figures(run: Result, pages: int, pipeline: Result) -> Result:
    """One tool's time, extrapolated to all sample pages, and its ratios to the pipeline."""
    per_page = run["seconds"] / run["pages"]
    tool = {
        "measured_pages": run["pages"],
        "measured_seconds": run["seconds"],
        "seconds_per_page": per_page,
        "seconds_all_pages": per_page * pages,  # extrapolated when a subset was timed
        "pages_per_s": 1 / per_page,
        "extrapolated": run["pages"] != pages,
        "rss_peak": run["rss_tree_peak"],
    }
    if "extract_parse_seconds" in pipeline:
        tool["ratio_to_pipeline"] = tool["seconds_all_pages"] / pipeline["extract_parse_seconds"]
    if "one_worker_extract_parse_s_per_page" in pipeline:
        one_worker = pipeline["one_worker_extract_parse_s_per_page"]
        tool["ratio_to_pipeline_1_worker"] = per_page / one_worker
    return tool


def memory_figures(r: Result) -> Result:
    """The largest peak RSS of any pipeline run, and the long/short PDF ratios."""
    cold_runs = (r["cold"], r.get("cold_parse_only", {}))
    rss = [run["rss_tree_peak"] for run in cold_runs if "rss_tree_peak" in run]
    for group in ("scale", "memory"):
        rss += [run["rss_tree_peak"] for run in r[group].values() if "error" not in run]
    figures: Result = {"pipeline_rss_peak": max(rss) if rss else None}
    memory = {k: v for k, v in r["memory"].items() if "error" not in v}
    if len(memory) == 2:
        small, big = (memory[k] for k in sorted(memory, key=int))
        figures["memory_ratio_tree"] = big["rss_tree_peak"] / small["rss_tree_peak"]
        figures["memory_ratio_worker"] = big["rss_worker_max"] / small["rss_worker_max"]
        figures["memory_ratio_main"] = big["rss_main"] / small["rss_main"]
    return figures


def figures(r: Result) -> Result:
    """Every figure of the table and of results.json, from the raw results `r`."""
    pages = r["workload"]["samples"]["pages"]
    f = sample_figures(r)
    f.update(scaling_figures(r))
    f["tools"] = {
        name: _tool_figures(r[name], pages, f) for name in TOOLS if "error" not in r[name]
    }
    f.update(memory_figures(r))
    return f


Check = Callable[[float], bool]


def _target(name: str, value: float | None, goal: str, ok: Check) -> Result:
    status = "n/a" if value is None else ("PASS" if ok(value) else "MISS")
    return {"target": name, "measured": value, "goal": goal, "status": status}


def targets(f: Result) -> list[Result]:
    """Issue 4's targets with the measured value and PASS, MISS or n/a."""
    tools: dict[str, Any] = f.get("tools", {})
    camelot = tools.get("camelot", {}).get("ratio_to_pipeline")
    pdfium = tools.get("pdfium", {}).get("ratio_to_pipeline")
    rss = f.get("pipeline_rss_peak")
    rows: list[tuple[str, float | None, str, Check]] = [
        (
            "extraction + parsing pages/s",
            f.get("extract_parse_pages_per_s"),
            ">= 100 pages/s",
            lambda v: v >= 100,
        ),
        ("camelot stream time / pipeline extract+parse", camelot, ">= 3x", lambda v: v >= 3),
        (
            "pipeline extract+parse / pypdfium2 floor",
            1 / pdfium if pdfium is not None else None,
            "<= 3x",
            lambda v: v <= 3,
        ),
        ("cold run of the samples, wall s", f.get("cold_wall_seconds"), "< 15 s", lambda v: v < 15),
        ("warm rerun, wall s", f.get("warm_wall_seconds"), "< 2 s", lambda v: v < 2),
        (
            "peak RSS of any pipeline run, GiB",
            rss / GIB if rss else None,
            "< 1 GiB",
            lambda v: v < 1,
        ),
        (
            "1000-page vs 100-page peak RSS (whole process tree)",
            f.get("memory_ratio_tree"),
            "<= 1.2x (page-bounded)",
            lambda v: v <= 1.2,
        ),
        (
            "2 workers vs 1, whole-run throughput",
            f.get("scale_ratio_run"),
            ">= 1.6x",
            lambda v: v >= 1.6,
        ),
    ]
    return [_target(*row) for row in rows]
