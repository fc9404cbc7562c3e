"""Import infinity_emb without letting it take over the process's logging.

At import, infinity_emb clears the root logger's handlers and installs its own (rich, multi-line). The
application configured logging already: its handlers and level are put back, so infinity's lines come
out in the server's own format.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType


def import_infinity() -> ModuleType:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        return importlib.import_module("infinity_emb")
    finally:
        if handlers:
            root.handlers[:] = handlers
            root.setLevel(level)
