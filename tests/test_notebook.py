"""docs/notebook.ipynb runs from start to end in a Jupyter kernel, and shows what it says.

Skipped only when no Jupyter kernel can start on this machine. ``python tests/test_notebook.py``
runs the notebook again and saves it with its outputs.
"""

from __future__ import annotations

import contextlib
import html
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient

DOCS = Path(__file__).resolve().parents[1] / "docs"
NOTEBOOK = DOCS / "notebook.ipynb"
CELL_TIMEOUT = 600


def execute(notebook: nbformat.NotebookNode) -> float:
    """Run every cell of ``notebook`` in place, from the docs folder; the seconds taken.

    Raises
    ------
    pytest.skip.Exception
        When no kernel can start.
    nbclient.exceptions.CellExecutionError
        When a cell raises.
    """
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT,
                            kernel_name=notebook.metadata.kernelspec.name,
                            resources={"metadata": {"path": str(DOCS)}})
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(client.setup_kernel())
        except (NoSuchKernel, RuntimeError, TimeoutError, OSError) as exc:
            pytest.skip(f"no Jupyter kernel can start here ({type(exc).__name__}: {exc})")
        started = time.monotonic()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        return time.monotonic() - started


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    seconds = execute(notebook)
    return notebook, seconds


def _outputs(notebook, source_start: str) -> list[dict]:
    cell = next(c for c in notebook.cells
                if c.cell_type == "code" and c.source.startswith(source_start))
    return cell.outputs


def _text(outputs) -> str:
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def test_the_notebook_runs_without_errors_and_quickly(executed):
    notebook, seconds = executed
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert seconds < 120, f"the notebook took {seconds:.0f} s"


def test_the_notebook_shows_tables_and_charts(executed):
    notebook, _ = executed
    scenario = _outputs(notebook, "import forecast\n")
    assert "Scenario 'base'" in html.unescape(scenario[0].data["text/html"])
    assert "<table>" in _outputs(notebook, "comparison = ")[0].data["text/html"]
    assert "<table>" in _outputs(notebook, "solution = ")[0].data["text/html"]
    charts = [c for c in notebook.cells if c.cell_type == "code" and "fan_chart(" in c.source]
    assert len(charts) == 2
    for cell in charts:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source


def test_the_notebook_prints_the_errors_it_promises(executed):
    notebook, _ = executed
    assert "draws: found -5" in _text(_outputs(notebook, "from pathlib import Path\n\nshorter = "))
    printed = _text(_outputs(notebook, "broken = "))
    assert "<dict>: draws: " in printed and "<frame>: row 1: value: found 'nine hundred'" in printed
    assert "report.html" in _text(_outputs(notebook, "import tempfile"))


if __name__ == "__main__":
    book = nbformat.read(NOTEBOOK, as_version=4)
    took = execute(book)
    nbformat.write(book, NOTEBOOK)
    print(f"ran {NOTEBOOK} in {took:.1f} s and saved its outputs")
