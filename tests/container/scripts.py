"""The repository root, and the docker/ helper scripts loaded as modules (docker/ is not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    """`docker/<name>.py` as a module named `docker_<name>`, loaded once."""
    module_name = f"docker_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    if str(REPO / "docker") not in sys.path:
        sys.path.append(str(REPO / "docker"))  # image.py imports its siblings as a script does
    spec = importlib.util.spec_from_file_location(module_name, REPO / "docker" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
