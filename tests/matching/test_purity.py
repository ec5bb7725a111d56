"""The matching library stays pure: no service code, web or database frameworks, or environment reads,
and nothing in it reads whether a trainee is a survivor."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "matching"
MODULES = sorted(PACKAGE.rglob("*.py"))
FORBIDDEN = {"service", "fastapi", "sqlmodel", "sqlalchemy", "starlette", "pydantic_settings", "alembic",
             "uvicorn", "psycopg"}
SENSITIVE = "is_survivor"


def test_every_module_is_scanned() -> None:
    names = {".".join(path.relative_to(PACKAGE).with_suffix("").parts) for path in MODULES}
    assert {"tables", "geo", "skillfit", "commute", "wages", "demand", "safety", "features", "scoring", "explain",
            "engine", "testing.naive", "reference.__init__", "reference.normalise", "reference.loading",
            "reference.gazetteer", "reference.wages", "reference.site", "reference.taxonomy", "skills"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_no_forbidden_imports_or_environment(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN:
                    problems.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and node.module.split(".")[0] in FORBIDDEN:
                problems.append(f"line {node.lineno}: from {node.module} import ...")
            if node.module == "os" and any(a.name in ("environ", "getenv", "environb", "getenvb") for a in node.names):
                problems.append(f"line {node.lineno}: from os import environ/getenv")
        elif isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb", "getenvb"):
            problems.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in ("environ", "getenv"):
            problems.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            problems.append(f"line {node.lineno}: __import__")
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_survivor_status_is_never_read(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Constant) and node.value == SENSITIVE), f"{path.name}:{node.lineno}"
        assert not (isinstance(node, ast.Attribute) and node.attr == SENSITIVE), f"{path.name}:{node.lineno}"
        assert not (isinstance(node, ast.Name) and node.id == SENSITIVE), f"{path.name}:{node.lineno}"


def test_importing_the_engine_pulls_in_no_service_code() -> None:
    code = ("import matching.engine, sys; "
            "assert 'service' not in sys.modules and 'fastapi' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent, timeout=60)


def test_importing_every_module_pulls_in_no_framework() -> None:
    modules = ", ".join(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
                        for path in MODULES)
    code = (f"import sys, {modules}\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent, timeout=60)


DEMO_PACKAGE = PACKAGE.parent / "demo"
DEMO_MODULES = sorted(DEMO_PACKAGE.rglob("*.py"))


def test_every_demo_module_is_scanned() -> None:
    assert {"generator", "truth"} <= {path.stem for path in DEMO_MODULES}


@pytest.mark.parametrize("path", DEMO_MODULES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_demo_never_imports_service(path: Path) -> None:
    """The demo generator builds on the matching library only, never on the service."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] == "service"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "service":
                problems.append(f"line {node.lineno}: from {node.module} import ...")
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_importing_the_demo_generator_pulls_in_no_service_code() -> None:
    code = "import demo.generator, sys; bad = sorted(m for m in sys.modules if m.split('.')[0] == 'service'); assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent, timeout=60)
