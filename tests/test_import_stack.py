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
    ["core"],  # audio, features, nn blocks, config, checkpoint, trainer, data
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
