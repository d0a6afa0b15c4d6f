"""Every import points down one stack: a package imports only from packages below it.

The order is written once, here. Packages on the same level do not import each other.
Imports inside functions count too (a lazy import up the stack is still a cycle).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STACK = [
    ["frontend"],  # text → symbols, no torch
    ["core"],  # audio, features, nn blocks, config, checkpoint, trainer, prepared data
    ["corpus"],  # corpora made here: espeak-ng voices, the teacher engines, synthetic speakers
    ["vocoder"],  # mel → waveform: Griffin-Lim, WaveGlow, its training task
    ["recognizer"],  # speech → syllables: the judge, its training task
    ["tts"],  # symbols → mel: the acoustic models, their training task
    ["synthesis"],  # voices, the pipeline, exports
    ["evaluation", "mos", "server"],  # scores, listening tests, the HTTP service
    ["cli"],  # the command-line entry points
]
LEVEL = {package: level for level, packages in enumerate(STACK) for package in packages}


def imported_packages(source: str, package: str) -> set[str]:
    """Top-level project packages that a module of ``package`` imports (absolute and relative)."""
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found & set(LEVEL)


def modules():
    return sorted(p for package in LEVEL for p in (ROOT / package).rglob("*.py"))


def test_every_package_of_the_stack_exists():
    assert all((ROOT / package / "__init__.py").exists() for package in LEVEL)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_stack(path):
    package = path.relative_to(ROOT).parts[0]
    imports = imported_packages(path.read_text(encoding="utf-8"), package)
    upward = sorted(p for p in imports if p != package and LEVEL[p] >= LEVEL[package])
    assert not upward, f"{package} (level {LEVEL[package]}) imports {upward}: up or across the stack"


def test_the_check_sees_imports_inside_functions_and_relative_ones():
    source = "import torch\nfrom .layers import x\ndef f():\n    from synthesis.pipeline import Synthesizer\n"
    assert imported_packages(source, "core") == {"core", "synthesis"}


def module_graph() -> dict[str, set[str]]:
    """Every project module → the project modules it imports (at the top or inside functions)."""
    names = {}
    for path in modules():
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def resolve(name: str) -> str | None:
        while name and name not in names:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in names.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(resolve(a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(node.level - 1, 0)):
                    base = base.rpartition(".")[0]
                full = ".".join(p for p in ((base if node.level else ""), node.module or "") if p)
                found.update(
                    resolve(f"{full}.{a.name}" if f"{full}.{a.name}" in names else full) for a in node.names
                )
        graph[module] = found - {None, module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while not group or group[-1] != v:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_no_two_modules_import_each_other_even_lazily():
    assert cycles(module_graph()) == []


def test_the_cycle_check_finds_a_lazy_circle():
    assert cycles({"a.x": {"a.y"}, "a.y": {"a.x"}, "a.z": {"a.x"}}) == [["a.x", "a.y"]]


SCRIPT_FOLDERS = ("benchmarks", "experiments", "samples", "scripts")


@pytest.mark.parametrize("folder", SCRIPT_FOLDERS)
def test_scripts_import_the_installed_package_without_patching_the_path(folder):
    patched = [p.name for p in (ROOT / folder).glob("*.py") if "sys.path" in p.read_text(encoding="utf-8")]
    assert not patched, f"{folder}: {patched} change sys.path"


def test_experiments_do_not_import_benchmarks():
    benchmarks = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} | {"benchmarks"}
    for path in (ROOT / "experiments").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not names & benchmarks, f"{path.name} imports {sorted(names & benchmarks)}"
