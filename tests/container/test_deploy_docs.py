"""docs/deploy.md's tables follow the code: every setting and build argument, with its real default."""

from __future__ import annotations

import enum

import pytest

from application.settings import Settings
from tests.container.dockerfile import load
from tests.container.scripts import REPO

DOC = REPO / "docs" / "deploy.md"


def table(first_header: str) -> dict[str, list[str]]:
    """Rows of the Markdown table whose header starts with `| <first_header> |`: first cell → other cells."""
    lines = DOC.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def rendered(default: object) -> str:
    if default is None or default == "":
        return "unset"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, enum.Enum):
        return str(default.value)
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def test_every_setting_is_documented_with_its_default() -> None:
    rows = table("Variable")
    fields = {name.upper(): field for name, field in Settings.model_fields.items()}
    assert set(rows) == set(fields), "docs/deploy.md's settings table and application/settings.py differ"
    for name, field in fields.items():
        assert rows[name][0].strip("`") == rendered(field.default), f"{name}: documented default is wrong"


@pytest.mark.parametrize("name", ["HOST", "PORT", "ENGINE"])
def test_image_overrides_are_documented(name: str) -> None:
    value = load().final_env[name]
    assert table("Variable")[name][1].split()[0].strip("`") == value


def test_every_build_argument_is_documented_with_its_default() -> None:
    rows = table("Build argument")
    defaults = load().global_args
    assert set(rows) == set(defaults)
    for name, default in defaults.items():
        assert rows[name][0].strip("`") == (default or "empty"), f"{name}: documented default is wrong"
