"""The service's layers only point down, and writes are committed in one place.

core (config, db, errors, clock, base models) is the bottom; records, audit and auth sit on it; the domains
(trainees, openings, matches, nightly...) on those; the app (`service.main`, `service.cli`, `service.asgi`) and
the migrations at the top. A module may import its own layer or lower ones, never a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service"
MODULES = sorted(path for path in SERVICE.rglob("*.py") if "versions" not in path.parts)

CORE, RECORDS, DOMAIN, APP = 0, 1, 2, 3
LAYER_NAMES = {CORE: "core", RECORDS: "records/auth/audit", DOMAIN: "domains", APP: "app"}
# Packages directly under service/ and their layer; any package not named here is a domain.
LAYERS = {"core": CORE, "records": RECORDS, "audit": RECORDS, "auth": RECORDS, "main": APP, "cli": APP,
          "cli_errors": APP, "cli_progress": APP, "cli_database": APP, "cli_metrics": APP, "cli_backup": APP,
          "asgi": APP, "__main__": APP, "migrations": APP, "__init__": CORE}
# Modules of a lower package that are HTTP entry points: they answer routes, so they sit with the domains.
ROUTE_MODULES = {"service.audit.router", "service.auth.router"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    if module in ROUTE_MODULES:
        return DOMAIN
    top = module.split(".")[1] if "." in module else "__init__"
    return LAYERS.get(top, DOMAIN)


def service_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a service module, at any depth (deferred imports count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("service"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("service")]
    return found


def test_every_package_has_a_layer() -> None:
    packages = {path.relative_to(SERVICE).parts[0].removesuffix(".py") for path in MODULES}
    assert {"core", "records", "audit", "auth", "trainees", "matches", "nightly"} <= packages
    assert layer_of("service.core.db") == CORE and layer_of("service.records.writes") == RECORDS
    assert layer_of("service.trainees.service") == DOMAIN and layer_of("service.main") == APP


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SERVICE)))
def test_imports_point_down(path: Path) -> None:
    mine = layer_of(module_name(path))
    upward = [f"line {line}: {target} ({LAYER_NAMES[layer_of(target)]})"
              for line, target in service_imports(path) if target != "service" and layer_of(target) > mine]
    assert not upward, f"{module_name(path)} ({LAYER_NAMES[mine]}) imports a higher layer: " + "; ".join(upward)


def test_a_lower_layer_importing_a_higher_one_is_caught(tmp_path: Path) -> None:
    offending = tmp_path / "offending.py"
    offending.write_text("from service.trainees.models import Trainee\n")
    assert service_imports(offending) == [(1, "service.trainees.models")]
    assert layer_of("service.trainees.models") > layer_of("service.core.models")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SERVICE)))
def test_only_the_unit_of_work_commits(path: Path) -> None:
    if module_name(path) == "service.records.unit_of_work":
        return
    commits = [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]
    assert not commits, f"{module_name(path)} commits at lines {commits}; writes end in the unit of work"
