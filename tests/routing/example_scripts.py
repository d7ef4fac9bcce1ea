"""Loading the scripts of examples/ (they are not a package) as modules, for their tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example_script(filename: str) -> Any:
    """``examples/<filename>`` as a fresh module; it may import its siblings (generate.py)."""
    name = f"examples_{Path(filename).stem}"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(EXAMPLES))
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
        sys.modules.pop("generate", None)
        sys.path.remove(str(EXAMPLES))
    return module


def run_into(filename: str, tmp_path: Path, outputs: dict[str, str]) -> Any:
    """Run ``examples/<filename>``'s ``main`` with each output (module attribute -> file
    name) redirected into ``tmp_path``; assert every file equals the committed one. The
    module, for further checks."""
    generator = load_example_script(filename)
    for attribute, name in outputs.items():
        setattr(generator, attribute, tmp_path / name)
    generator.main()
    for name in outputs.values():
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
    return generator
