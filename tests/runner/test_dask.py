"""The dask executor gives the same curated output as the local one, byte for byte.

Starts a small `distributed.LocalCluster` (two worker processes, no dashboard), runs the pipeline
on the smaller sample PDF through it, runs it locally into another folder, and compares the
published Parquet files. Takes about half a minute on two cores.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from pipeline.extract.executor import ExecutorOptions, page_tasks  # noqa: E402
from pipeline.runner import RunOptions, run  # noqa: E402

from project import ROOT  # noqa: E402

SAMPLE = ROOT / "raw" / "arsrapport-2020.pdf"
DATASETS = ("cells", "tables", "documents")


def _parquet_files(out_dir: Path, dataset: str) -> dict[str, bytes]:
    base = out_dir / "current" / dataset
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*.parquet"))}


def _computed_page_tasks(dask_scheduler) -> int:
    """How many `_run_task` tasks reached memory on the scheduler's workers."""
    # A task's prefix is its key without the token and the leading underscore: "run_task".
    prefixes = dask_scheduler.task_prefixes
    return sum(prefixes[name].state_counts["memory"] for name in prefixes if "run_task" in name)


def test_dask_cluster_output_is_identical_to_local(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw / SAMPLE.name)
    # Spawned dask workers must import `pipeline` from this checkout, however pytest was started.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = run(
            RunOptions(
                raw,
                tmp_path / "dask",
                executor=ExecutorOptions("dask", 2, cluster.scheduler_address),
            ),
            say=print,
        )
        # The page tasks really ran on the cluster, not in this process.
        with distributed.Client(cluster.scheduler_address) as client:
            computed = client.run_on_scheduler(_computed_page_tasks)
    local = run(
        RunOptions(raw, tmp_path / "local", executor=ExecutorOptions("local", 2)), say=print
    )

    assert computed == len(page_tasks(raw / SAMPLE.name, on_dask.pages, 2)) > 1
    assert on_dask.exit_status == local.exit_status
    assert (on_dask.pages, on_dask.tables, on_dask.cells) == (
        local.pages,
        local.tables,
        local.cells,
    )
    assert on_dask.cells > 0
    for dataset in DATASETS:
        dask_files = _parquet_files(tmp_path / "dask", dataset)
        local_files = _parquet_files(tmp_path / "local", dataset)
        assert dask_files, f"no {dataset} Parquet files were published"
        assert dask_files.keys() == local_files.keys(), dataset
        for name, data in dask_files.items():
            assert data == local_files[name], f"{dataset}/{name} differs between dask and local"
