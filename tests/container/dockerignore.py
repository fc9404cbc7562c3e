""".dockerignore matching as Docker does it, for checking the build context without a daemon.

Rules (moby/patternmatcher): patterns are cleaned and lose a leading `/`; `*` and `?` stop at `/`,
`**` spans any number of folders (none included); `!pattern` re-includes; the last pattern that
matches a path or one of its parent folders decides.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Rule:
    regex: re.Pattern[str]
    exclusion: bool  # a `!` line: matching paths are let back in


def compile_pattern(pattern: str) -> re.Pattern[str]:
    out, i = "^", 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            out += ".*" if i >= len(pattern) else "(.*/)?"
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out += re.escape(ch)
            else:
                out += "[" + pattern[i + 1 : end].replace("\\", "\\\\") + "]"
                i = end
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + "$")


class DockerIgnore:
    def __init__(self, text: str) -> None:
        self.rules: list[Rule] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            pattern = posixpath.normpath(line[1:].strip() if exclusion else line).lstrip("/")
            self.rules.append(Rule(compile_pattern(pattern), exclusion))

    @classmethod
    def load(cls, context: Path) -> DockerIgnore:
        path = context / ".dockerignore"
        return cls(path.read_text() if path.exists() else "")

    def excluded(self, relpath: str) -> bool:
        """Whether `relpath` (relative to the context, `/`-separated) stays out of the build context."""
        path = posixpath.normpath(relpath)
        parents = path.split("/")[:-1]
        matched = False
        for rule in self.rules:
            if rule.exclusion and not matched:
                continue
            hit = bool(rule.regex.match(path)) or any(
                rule.regex.match("/".join(parents[: n + 1])) for n in range(len(parents))
            )
            if hit:
                matched = not rule.exclusion
        return matched
