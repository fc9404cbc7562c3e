"""A small Dockerfile parser: enough to check our Dockerfile's shape without a Docker daemon.

Handles parser directives (`# escape=`), comments (also between continued lines), line continuations,
global ARGs, stages (`FROM image [AS name]`), flags (`--from=x`), exec (JSON) and shell forms.
Heredocs are not supported and are refused rather than misread.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")
HEREDOC = re.compile(r"<<-?\s*[\"']?[A-Za-z_]\w*")
VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    value: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of `CMD ["a", "b"]`, or None for the shell form."""
        text = self.value.strip()
        if not text.startswith("["):
            return None
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return None  # Docker, too, treats an invalid array as the shell form
        return parsed if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed) else None

    def flags_and_args(self) -> tuple[dict[str, str], list[str]]:
        """Leading `--name=value` (or bare `--name`) flags, then the remaining words or array items."""
        words = self.value.split()
        flags: dict[str, str] = {}
        while words and words[0].startswith("--"):
            name, _, value = words.pop(0)[2:].partition("=")
            flags[name] = value
        rest = " ".join(words)
        array = Instruction(self.keyword, rest, self.line).exec_form()
        return flags, array if array is not None else words

    def assignments(self) -> dict[str, str]:
        """`ARG A=1 B`, `ENV A=1 B="two words"` and the legacy `ENV A value` as a dict."""
        words = shlex.split(self.value)
        if self.keyword == "ENV" and words and "=" not in words[0]:
            return {words[0]: " ".join(words[1:])}
        pairs: dict[str, str] = {}
        for word in words:
            name, _, value = word.partition("=")
            pairs[name] = value
        return pairs

    def variables(self) -> set[str]:
        """Names referenced as `$NAME` or `${NAME…}`."""
        return set(VARIABLE.findall(self.value))


@dataclass(slots=True)
class Stage:
    base: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def args(self) -> dict[str, str]:
        return {k: v for i in self.all("ARG") for k, v in i.assignments().items()}

    def env(self) -> dict[str, str]:
        return {k: v for i in self.all("ENV") for k, v in i.assignments().items()}


@dataclass(slots=True)
class Dockerfile:
    global_args: list[Instruction]
    stages: list[Stage]

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def arg_defaults(self) -> dict[str, str]:
        return {k: v for i in self.global_args for k, v in i.assignments().items()}

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


def instructions(text: str) -> list[Instruction]:
    """Logical instructions, continuation lines joined, comments and blank lines dropped."""
    lines = text.splitlines()
    escape = "\\"
    for raw in lines:  # parser directives: only at the very top, before any other line
        match = DIRECTIVE.match(raw)
        if not match:
            break
        if match.group(1).lower() == "escape":
            escape = match.group(2)
    result: list[Instruction] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # also inside a continuation, as Docker does
        if not parts:
            start = number
        continued = raw.rstrip().endswith(escape)
        parts.append(raw.rstrip()[: -len(escape)] if continued else raw)
        if not continued:
            result.append(_instruction(" ".join(p.strip() for p in parts), start))
            parts = []
    if parts:
        result.append(_instruction(" ".join(p.strip() for p in parts), start))
    return result


def _instruction(text: str, line: int) -> Instruction:
    keyword, _, value = text.partition(" ")
    keyword = keyword.upper()
    if keyword in {"RUN", "COPY", "ADD"} and HEREDOC.search(value):
        raise ValueError(f"line {line}: heredocs are not supported by this parser")
    return Instruction(keyword, value.strip(), line)


def parse(text: str) -> Dockerfile:
    global_args: list[Instruction] = []
    stages: list[Stage] = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.value.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name, line=instruction.line))
        elif not stages:
            if instruction.keyword != "ARG":
                raise ValueError(f"line {instruction.line}: only ARG may come before the first FROM")
            global_args.append(instruction)
        else:
            stages[-1].instructions.append(instruction)
    if not stages:
        raise ValueError("no FROM instruction")
    return Dockerfile(global_args=global_args, stages=stages)


def substitute(value: str, variables: dict[str, str]) -> str:
    """`${NAME}`, `$NAME` and `${NAME:-default}` with the given values (build-argument defaults)."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1) or match.group(3), match.group(2)
        return variables.get(name) or (default or "")

    return re.sub(r"\$\{([A-Za-z_]\w*)(?::-([^}]*))?\}|\$([A-Za-z_]\w*)", replace, value)
