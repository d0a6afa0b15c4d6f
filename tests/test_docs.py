"""The documentation stays true: its commands exist and explain themselves, its links resolve,
the README's two set-up commands are what CI runs, and every benchmark's --help runs."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
BIN = Path(sys.executable).parent


def named_commands() -> set[str]:
    found = set()
    for doc in DOCS:
        found |= set(re.findall(r"(?<![\w-])(tts-[a-z]+)(?![\w-])", doc.read_text(encoding="utf-8")))
    return found


def test_every_command_the_docs_name_is_installed():
    unknown = sorted(named_commands() - set(SCRIPTS))
    assert not unknown, f"the docs name commands that pyproject.toml does not install: {unknown}"
    assert {"tts-synthesize", "tts-train", "tts-eval", "tts-corpus"} <= named_commands()


@pytest.mark.parametrize("command", sorted(SCRIPTS))
def test_every_command_explains_itself(command):
    exe = BIN / command
    if not exe.exists():
        pytest.skip(f"{command} is not installed in this environment (pip install -e .)")
    r = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("usage: "), r.stderr


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        if not (doc.parent / target.split("#")[0]).exists():
            broken.append(target)
    assert not broken, f"{doc.name} links to missing files: {broken}"


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", text, re.S)


def test_the_readme_states_two_setup_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    install, test = code_blocks(quick_start)
    assert install.startswith("./install.sh && ") and "tts-synthesize" in install
    assert test.startswith("./install.sh --test && ") and "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extract = re.search(r"cmd=\$\((awk .*?)\)\n", ci).group(1)
    r = subprocess.run(["bash", "-c", extract], capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert r.stdout.strip() == test


BENCHMARKS = sorted(
    p for p in (ROOT / "benchmarks").glob("*.py") if "__main__" in p.read_text(encoding="utf-8")
)


def test_benchmark_helpers_are_used_by_a_benchmark():
    helpers = [p.stem for p in (ROOT / "benchmarks").glob("*.py") if p not in BENCHMARKS]
    sources = "".join(p.read_text(encoding="utf-8") for p in BENCHMARKS)
    assert all(f"from {h} import" in sources or f"import {h}" in sources for h in helpers), helpers


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_every_benchmark_explains_itself(script):
    r = subprocess.run(
        [sys.executable, script, "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert r.returncode == 0 and "usage:" in r.stdout, r.stderr
