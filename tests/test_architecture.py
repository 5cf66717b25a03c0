"""The structure DESIGN §1 promises: imports run one way, no cycles, no corpus knowledge in code."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "assistant", "ui", "evals")
COMPOSITION_ROOT = {"assistant.root"}  # the one module that wires the UI and the evals in


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, name: str) -> set[str]:
    """Project modules imported anywhere in the file (module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in out if m.split(".")[0] in PACKAGES}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path, name) if m in modules and m != name}
    return graph


def test_index_imports_nothing_above_it():
    bad = {(m, i) for m, deps in _graph().items() if m.startswith("index") for i in deps if not i.startswith("index")}
    assert not bad, bad


def test_only_the_composition_root_imports_ui_and_evals():
    bad = {
        (m, i) for m, deps in _graph().items() if m.startswith("assistant") and m not in COMPOSITION_ROOT
        for i in deps if i.startswith(("ui", "evals"))
    }
    assert not bad, bad


def test_no_import_cycles():
    graph = _graph()
    # a package's __init__ importing its own submodules is not a cycle between modules
    edges = {m: {d for d in deps if not m.startswith(d + ".") and not d.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in edges.get(node, ()):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)


def _bundled_cities() -> set[str]:
    from index.corpus import parse_corpus
    from assistant.places import english_names

    cities = {d.city for d in parse_corpus(REPO / "corpus").documents if d.city}
    return cities | {n for c in cities for n in english_names(c) if " " not in n}


def _string_literals(tree: ast.AST) -> list[tuple[int, str]]:
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value) for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_bundled_city_named_in_code():
    """Knowledge of a corpus lives in data (corpus profile, rules YAML, lexicon), never in a code literal."""
    names = _bundled_cities()
    assert len(names) >= 3
    offenders = []
    for package in (*PACKAGES, "benchmarks"):
        for path in (REPO / package).rglob("*.py"):
            for line, value in _string_literals(ast.parse(path.read_text(encoding="utf-8"))):
                low = value.lower()
                offenders += [f"{path.relative_to(REPO)}:{line}: {n}" for n in names if n in low]
    assert not offenders, "\n".join(offenders)
