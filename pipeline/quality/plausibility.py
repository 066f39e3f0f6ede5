"""Facts about printed numbers that the suites' plausibility expectations judge.

Each function turns a stage's frame into a derived frame of plain columns (digit groups, ratio to
the neighbours, years printed in a header, ...), vectorised. The thresholds live with their reason
in `expectations/*.json`, so a rule is changed there, never here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.parse.numbers import ascii_digits

_YEAR = r"(?<!\d)(?:19|20)\d{2}(?!\d)"
_PERIOD = r"(?<!\d)\d{4}\s*[-–]\s*\d{4}(?!\d)"
_CELL_FIELDS = ["document_id", "table_id", "page", "row_index", "row_label", "column_index"]
_CELL_FIELDS += ["column_label", "unit", "value", "value_nok"]


def cell_facts(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per value cell: how many digit groups it prints, its size against its neighbours,
    and whether its year is printed in its column's header."""
    # digits of any script as ASCII digits, as the parser reads them
    text = cells["value_text"].astype("string").fillna("").map(ascii_digits).astype("string")
    label = cells["column_label"].astype("string").fillna("").map(ascii_digits).astype("string")
    year = cells["year"].astype("Int64").astype("string")
    facts = cells[_CELL_FIELDS].copy()
    facts["digit_groups"] = text.str.replace(r",[0-9]*", "", regex=True).str.count("[0-9]+")
    facts["neighbour_ratio"] = _neighbour_ratio(cells, text)
    facts["year_in_label"] = (
        cells["year"].isna()
        | pd.Series(
            [y in lab for y, lab in zip(year.fillna(""), label, strict=True)], index=cells.index
        )
    ).astype(bool)
    return facts


def _neighbour_ratio(cells: pd.DataFrame, text: pd.Series) -> pd.Series:
    """|value| over the larger of its row's and its column's median |value| (zeros and percentages
    left out): a number read from several printed numbers stands far above both."""
    size = cells["value"].astype("float64").abs()
    size = size.where((size > 0) & ~text.str.contains("%", regex=False))
    row_median = size.groupby([cells["table_id"], cells["row_index"]]).transform("median")
    column_median = size.groupby([cells["table_id"], cells["column_index"]]).transform("median")
    reference = np.fmax(row_median, column_median)
    return (size / reference).fillna(1.0)


def column_facts(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per table column: its header's printed stem and year, how many years the header
    prints, and whether the years of columns sharing a stem run strictly one way."""
    columns = cells.drop_duplicates(["table_id", "column_index"]).sort_values(
        ["table_id", "column_index"]
    )
    label = columns["column_label"].astype("string").fillna("")
    facts = columns[["document_id", "table_id", "page", "column_index", "column_label", "year"]]
    facts = facts.assign(
        label_stem=label.str.replace(_PERIOD, "", regex=True)
        .str.replace(_YEAR, "", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
        .str.casefold(),
        header_years=label.str.replace(_PERIOD, "", regex=True).str.count(_YEAR),
    )
    diff = facts.groupby(["table_id", "label_stem"])["year"].diff().astype("float64")
    step = pd.Series(np.sign(diff), index=diff.index)
    direction = step.groupby([facts["table_id"], facts["label_stem"]])
    facts["years_ordered"] = (
        (direction.transform("min") == direction.transform("max")) & (step != 0)
    ).fillna(True) | step.isna()
    return facts.reset_index(drop=True)


def header_alignment(raw_cells: pd.DataFrame) -> pd.DataFrame:
    """One row per body value cell: whether the header nearest to it (horizontal centres) is the
    header of its own column, i.e. its year and measure are the ones printed over it."""
    headers = raw_cells[(raw_cells["role"] == "header") & (raw_cells["column_index"] >= 0)]
    headers = headers.assign(centre=(headers["x0"] + headers["x1"]) / 2)[
        ["table_id", "column_index", "centre", "x0", "x1"]
    ].drop_duplicates(["table_id", "column_index"])
    body = raw_cells[(raw_cells["role"] == "body") & (raw_cells["column_index"] >= 0)]
    body = body.assign(centre=(body["x0"] + body["x1"]) / 2, cell=np.arange(len(body)))
    pairs = body[["cell", "table_id", "column_index", "centre", "x0", "x1"]].merge(
        headers, on="table_id", suffixes=("", "_header")
    )
    overlap = np.minimum(pairs["x1"], pairs["x1_header"]) - np.maximum(
        pairs["x0"], pairs["x0_header"]
    )
    pairs = pairs.assign(
        distance=(pairs["centre"] - pairs["centre_header"]).abs().where(overlap <= 0, 0.0)
    )
    nearest = pairs.sort_values(["cell", "distance"]).drop_duplicates("cell")
    own = pairs[pairs["column_index"] == pairs["column_index_header"]].set_index("cell")
    aligned = own["distance"] <= nearest.set_index("cell")["distance"].reindex(own.index)
    labels = raw_cells[(raw_cells["role"] == "body") & (raw_cells["column_index"] < 0)]
    facts = body[["document_id", "table_id", "page", "row_index", "column_index", "text"]].merge(
        labels[["table_id", "row_index", "text"]].rename(columns={"text": "row_label"}),
        on=["table_id", "row_index"],
        how="left",
    )
    facts["under_own_header"] = aligned.reindex(body["cell"]).fillna(True).to_numpy(dtype=bool)
    return facts
