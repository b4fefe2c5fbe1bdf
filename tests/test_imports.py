"""The package's modules import each other without cycles, and the layers keep to their roles."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "forecast"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(node: ast.AST, *, module_level: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements under ``node``: with ``module_level``, those run when the module
    is imported (not inside functions, not under ``if TYPE_CHECKING:``)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            found.append(child)
        elif module_level and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                 ast.Lambda)):
            continue
        elif module_level and isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                found += _imports(ast.Module(body=[other], type_ignores=[]),
                                  module_level=True)
        else:
            found += _imports(child, module_level=module_level)
    return found


def _targets(module: str, statement: ast.Import | ast.ImportFrom) -> set[str]:
    """The package's modules a statement imports (``from a import b`` names ``a.b`` when that
    is a module, else ``a``)."""
    is_package = MODULES[module].name == "__init__.py"
    if isinstance(statement, ast.Import):
        names = [alias.name for alias in statement.names]
        return {n for n in names if n in MODULES}
    base = statement.module or ""
    if statement.level:
        anchor = module.split(".")
        anchor = anchor if is_package else anchor[:-1]
        anchor = anchor[: len(anchor) - (statement.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    out = set()
    for alias in statement.names:
        if f"{base}.{alias.name}" in MODULES:
            out.add(f"{base}.{alias.name}")
        elif base in MODULES:
            out.add(base)
    return out


def import_graph(*, module_level: bool = True) -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[module] = {target for statement in _imports(tree, module_level=module_level)
                         for target in _targets(module, statement)} - {module}
    return graph


def test_the_import_graph_reads_relative_and_from_imports():
    graph = import_graph()
    assert "forecast.priors.pooled" in graph["forecast.priors.library"]
    assert "forecast.cli.priors" in graph["forecast.cli"]  # from forecast.cli.priors import …
    assert "forecast.priors.library" not in graph["forecast.models.base"]  # TYPE_CHECKING only


def test_no_import_cycle_at_module_level():
    graph = import_graph()
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise AssertionError("import cycle: " + " -> ".join(exc.args[1])) from None
    assert set(order) == set(MODULES)


def test_specs_and_priors_keep_to_their_layers():
    """Declared distributions know nothing of priors (a pooled prior is a name, resolved at
    calibration), and pooled priors are mathematics: no file access through the io layer,
    not even inside a function."""
    graph = import_graph(module_level=False)
    for module, targets in graph.items():
        if module.startswith("forecast.spec"):
            assert not {t for t in targets if t.startswith("forecast.priors")}, module
        if module.startswith("forecast.priors"):
            assert not {t for t in targets if t.startswith(("forecast.io", "forecast.models",
                                                             "forecast.cli"))}, module


# io modules that hold values or write what a caller hands them, and the names in them that
# read a file (which the layers below may not import)
VALUE_OR_WRITER = ("forecast.io.history", "forecast.io.writers", "forecast.io.yaml_source")
READERS = {"read_history", "read_bounded", "read_yaml", "load_document", "read_run_dataset"}


def _io_readers(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per module, what of the io layer it imports that reads files: a reader module, or a
    reader function of a value-or-writer module (at any level, inside functions too)."""
    found: dict[str, set[str]] = {}
    for module, targets in graph.items():
        readers = {t for t in targets if t.startswith("forecast.io") and t not in VALUE_OR_WRITER}
        for statement in _imports(ast.parse(MODULES[module].read_text(encoding="utf-8")),
                                  module_level=False):
            if isinstance(statement, ast.ImportFrom) and statement.module in VALUE_OR_WRITER:
                readers |= {f"{statement.module}.{a.name}" for a in statement.names
                            if a.name in READERS}
        if readers:
            found[module] = readers
    return found


LAYERS = ("forecast.analysis", "forecast.models", "forecast.report", "forecast.engine",
          "forecast.calibration", "forecast.summary", "forecast.priors")


def test_analyses_models_and_reports_read_no_file():
    """Analyses, models, the engine and the report take their inputs as values: none imports
    an io reader (scenario files, histories from disk, observed files, panels, the prior
    library, or a reading function of the io modules that hold values), not even inside a
    function. Paths are read by the cli and pipeline layers."""
    found = _io_readers(import_graph(module_level=False))
    assert not {m: r for m, r in found.items() if m.startswith(LAYERS)}


def test_the_layer_check_fails_on_a_reader():
    """The check sees an analysis module that reads the prior library itself, and one that
    imports a reading function of a value module."""
    graph = import_graph(module_level=False)
    graph["forecast.analysis.precedent"] = graph["forecast.analysis.precedent"] | {
        "forecast.io.prior_library"}
    assert "forecast.io.prior_library" in _io_readers(graph)["forecast.analysis.precedent"]
    found = _io_readers(import_graph(module_level=False))
    assert "forecast.io.history.read_history" in found["forecast.pipeline"]  # pipeline may
    assert not any(m.startswith(LAYERS) for m in found)
