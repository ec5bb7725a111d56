"""The analysis notebooks (`notebooks/*.py`, jupytext percent format) run top to bottom on the demo bundle.

Each file is turned into a notebook in memory and executed by a Jupyter kernel (``python3``, the
interpreter running the tests, since ipykernel is installed in the same environment) with the
repository as working directory. Figures go to a temporary folder given by
``JOBMATCH_NOTEBOOK_OUTPUT``, never into the repository.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
import nbclient
import pytest
from jupyter_client.kernelspec import KernelSpecManager

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
CELL_TIMEOUT = 300

#: Each notebook and the figures it must save.
EXPECTED_FIGURES = {
    "market_demand.py": {"example_series", "seasonal_profiles", "forecasts", "backtest_by_horizon", "truth_check"},
    "outcome_model.py": {"retention_curve", "calibration", "feature_effects", "employers", "truth_check"},
}


def test_every_notebook_is_tested() -> None:
    assert {path.name for path in NOTEBOOKS.glob("*.py")} == set(EXPECTED_FIGURES)


def test_python3_kernel_is_this_interpreter() -> None:
    command = KernelSpecManager().get_kernel_spec("python3").argv[0]
    assert command in {"python", "python3", sys.executable}, (
        f"the python3 kernel runs {command}, not this environment's {sys.executable}: "
        "remove the stray kernelspec or install ipykernel here")


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (NOTEBOOKS / name).read_text(encoding="utf-8")
    notebook = jupytext.reads(source, fmt="py:percent")
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells), "no parameters cell"

    monkeypatch.setenv("JOBMATCH_NOTEBOOK_OUTPUT", str(tmp_path))
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(REPO)}})
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    elapsed = time.perf_counter() - started

    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors, errors
    text = "\n".join(str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
                     + str(output.get("data", {}).get("text/html", ""))
                     for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", []))
    assert "is_survivor" not in text, "survivor status in the outputs"

    stem = name.removesuffix(".py")
    saved = {path.stem.removeprefix(f"{stem}_") for path in tmp_path.glob(f"{stem}_*.png")}
    assert EXPECTED_FIGURES[name] <= saved, f"figures missing: {EXPECTED_FIGURES[name] - saved}"
    assert not list(NOTEBOOKS.glob("*.png")) and not list(REPO.glob("*.png")), "figures written into the repository"
    print(f"{name}: executed in {elapsed:.1f} s")
