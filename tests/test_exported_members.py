"""The public surface is what `__all__` says, and nothing private leaks into it.

For every package: each name in `__all__` exists and is public, and each public attribute
its `__init__` defines or imports (other than a submodule) is listed. For the modules of the
packages below `MODULE_PACKAGES`: each declares `__all__`, whose names exist and are public,
and lists every public class and function it defines.
"""

from __future__ import annotations
import __future__

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGES = (
    "solver",
    "routing",
    "routing.audit",
    "routing.batch",
    "routing.booking",
    "routing.cli",
    "routing.export",
    "routing.geo",
    "routing.planner",
    "routing.replan",
    "routing.spapi",
    "routing.spapi.emulator",
    "routing.writeback",
)
MODULE_PACKAGES = (
    "solver",
    "routing.batch",
    "routing.export",
    "routing.geo",
    "routing.planner",
    "routing.replan",
    "routing.spapi",
    "routing.writeback",
)
ROOT = Path(__file__).resolve().parents[1]


def _modules() -> list[str]:
    names = []
    for package_name in MODULE_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            names.append(info.name)
    return sorted(names)


def _exported(module: ModuleType) -> list[str]:
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module.__name__} declares no __all__"
    return list(exported)


def _check_listed_names(module: ModuleType) -> None:
    exported = _exported(module)
    assert len(exported) == len(set(exported)), f"{module.__name__}.__all__ repeats a name"
    assert [n for n in exported if n.startswith("_")] == []
    assert [n for n in exported if not hasattr(module, n)] == []


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_of_a_package_exists_and_is_public(name: str) -> None:
    _check_listed_names(importlib.import_module(name))


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_of_a_package_is_exported(name: str) -> None:
    package = importlib.import_module(name)
    public = {
        member for member, value in vars(package).items()
        if not member.startswith("_")
        and not inspect.ismodule(value)
        and not isinstance(value, __future__._Feature)  # `from __future__ import annotations`
    }
    assert sorted(public - set(_exported(package))) == []


@pytest.mark.parametrize("name", _modules())
def test_every_module_lists_its_public_classes_and_functions(name: str) -> None:
    module = importlib.import_module(name)
    _check_listed_names(module)
    defined = {
        member for member, value in vars(module).items()
        if not member.startswith("_")
        and member.isidentifier()  # not pydantic's cached generics, "SpApiList[Warning]"
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == name
    }
    assert sorted(defined - set(_exported(module))) == []


def test_every_error_family_is_exported_by_its_package() -> None:
    """A caller catches a family (GeoError, SpApiError, ...) by its root, so each root is
    exported: by `routing` for a top-level module, else by the package that defines it."""
    from routing.errors import RoutingError

    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
    missing = []
    for root in RoutingError.__subclasses__():
        owner = root.__module__.rsplit(".", 1)[0]
        if owner not in PACKAGES or root.__name__ not in _exported(sys.modules[owner]):
            missing.append(f"{root.__module__}.{root.__name__}")
    assert sorted(missing) == []


def test_importing_solver_loads_no_routing_module() -> None:
    """`solver` stands alone: it must never import the application around it."""
    check = ("import solver, sys; "
             "loaded = [m for m in sys.modules if m == 'routing' or m.startswith('routing.')]; "
             "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
