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
