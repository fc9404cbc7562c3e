"""The README documents every setting, with its real default."""

from __future__ import annotations

import re
from pathlib import Path

from application.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme_table() -> None:
    rows = dict(re.findall(r"^\| `([A-Z0-9_]+)` \| ([^|]+) \|", README.read_text(), flags=re.MULTILINE))
    for name, field in Settings.model_fields.items():
        variable = name.upper()
        assert variable in rows, f"{variable} is missing from the README's settings table"
        default = field.default
        documented = rows[variable].strip().strip("`")
        if default in (None, ""):
            assert documented == "unset", variable
        else:
            expected = str(default.value if hasattr(default, "value") else default).lower()
            assert documented.lower() == expected, f"{variable}: README says {documented}, code says {expected}"
