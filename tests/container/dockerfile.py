"""Our Dockerfile as stages of instructions, read with dockerfile-parse (continuations, comments, JSON forms)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from dockerfile_parse import DockerfileParser
from dockerfile_parse.util import extract_key_values

from tests.container.scripts import REPO

VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def assignments(value: str) -> dict[str, str]:
    """`ARG A=1 B` and `ENV A=1 B="two words"` as a dict, `${…}` left as written."""
    words = value.split()
    if len(words) == 1 and "=" not in value:
        return {value: ""}  # `ARG NAME`: declared, no default
    return dict(extract_key_values(env_replace=False, args={}, envs={}, instruction_value=value))


def flags_and_args(value: str) -> tuple[dict[str, str], list[str]]:
    """Leading `--name=value` flags, then the JSON array or the remaining words."""
    words = value.split()
    flags: dict[str, str] = {}
    while words and words[0].startswith("--"):
        name, _, flag_value = words.pop(0)[2:].partition("=")
        flags[name] = flag_value
    rest = " ".join(words)
    return flags, (exec_form(rest) or words)


def exec_form(value: str) -> list[str] | None:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, list) else None


@dataclass(slots=True)
class Stage:
    base: str
    name: str | None
    instructions: list[dict[str, Any]] = field(default_factory=list)  # dockerfile-parse's structure items

    def values(self, keyword: str) -> list[str]:
        return [i["value"] for i in self.instructions if i["instruction"] == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.values(keyword)
        return found[-1] if found else None

    def args(self) -> set[str]:
        return {name for value in self.values("ARG") for name in assignments(value)}

    def env(self) -> dict[str, str]:
        return {k: v for value in self.values("ENV") for k, v in assignments(value).items()}

    def variables(self) -> set[str]:
        return {name for i in self.instructions for name in VARIABLE.findall(i["value"])}


@dataclass(slots=True)
class Dockerfile:
    global_args: dict[str, str]
    stages: list[Stage]
    final_env: dict[str, str]  # the runtime stage's ENV with build-argument defaults substituted

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


def load() -> Dockerfile:
    parser = DockerfileParser(path=str(REPO / "Dockerfile"), env_replace=False)
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for item in parser.structure:
        if item["instruction"] == "FROM":
            words = item["value"].split()
            stages.append(Stage(base=words[0], name=words[2] if len(words) == 3 else None))
        elif stages:
            stages[-1].instructions.append(item)
        elif item["instruction"] == "ARG":
            global_args.update(assignments(item["value"]))
    final_env = DockerfileParser(path=str(REPO / "Dockerfile"), env_replace=True, build_args=global_args).envs
    return Dockerfile(global_args=global_args, stages=stages, final_env=dict(final_env))
