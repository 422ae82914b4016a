"""Find the suites: the modules of `expectations/` at the repository root (like the dbt
project, they are project files beside the installed package), in the order its
`__init__.py` lists them. Each module exposes `SUITES`, a list of `Suite`."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from functools import cache
from types import ModuleType

from pipelines import paths
from pipelines.gates.spec import Suite

PACKAGE = "xinfang_expectations"
FOLDER = paths.REPO_ROOT / "expectations"


@cache
def _package() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        PACKAGE, FOLDER / "__init__.py", submodule_search_locations=[str(FOLDER)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the expectation suites from {FOLDER}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return module


def module(name: str) -> ModuleType:
    _package()
    return importlib.import_module(f"{PACKAGE}.{name}")


def module_names() -> tuple[str, ...]:
    return tuple(_package().MODULES)


def all_suites() -> list[Suite]:
    suites: list[Suite] = []
    for name in module_names():
        suites += module(name).SUITES
    return suites


def load_suites(phase: str) -> list[Suite]:
    return [s for s in all_suites() if s.phase == phase]
