"""The tiny Dockerfile parser and .dockerignore matcher the container checks rely on."""

from __future__ import annotations

import pytest

from tests.container.dockerfile import parse, substitute
from tests.container.dockerignore import DockerIgnore

SAMPLE = """\
# syntax=docker/dockerfile:1
ARG BASE=python:3.11-slim
ARG GREETING="hello world"

FROM ${BASE} AS build
ARG GREETING
RUN echo one \\
    # a comment between continued lines is dropped
    && echo two \\
    && echo "${GREETING}"
COPY --chown=1:1 src/ /app/src/

from build
ENV A=1 B="two words"
ENV LEGACY value with spaces
COPY --from=build /app /app
USER 1000
ENTRYPOINT ["tini", "--"]
CMD ["serve", "--port", "8000"]
HEALTHCHECK --interval=5s CMD ["python", "-c", "print(1)"]
"""


def test_stages_global_args_and_names() -> None:
    dockerfile = parse(SAMPLE)
    assert [(s.base, s.name) for s in dockerfile.stages] == [("${BASE}", "build"), ("build", None)]
    assert dockerfile.arg_defaults() == {"BASE": "python:3.11-slim", "GREETING": "hello world"}
    assert dockerfile.stages[0].args() == {"GREETING": ""}


def test_continuation_lines_are_joined_and_comments_dropped() -> None:
    run = parse(SAMPLE).stages[0].all("RUN")
    assert len(run) == 1
    assert run[0].value == 'echo one && echo two && echo "${GREETING}"'
    assert run[0].line == 7
    assert run[0].variables() == {"GREETING"}


def test_flags_exec_form_and_assignments() -> None:
    final = parse(SAMPLE).final
    assert final.all("COPY")[0].flags_and_args() == ({"from": "build"}, ["/app", "/app"])
    assert final.last("ENTRYPOINT").exec_form() == ["tini", "--"]  # type: ignore[union-attr]
    assert final.last("CMD").exec_form() == ["serve", "--port", "8000"]  # type: ignore[union-attr]
    assert final.env() == {"A": "1", "B": "two words", "LEGACY": "value with spaces"}
    flags, args = final.last("HEALTHCHECK").flags_and_args()  # type: ignore[union-attr]
    assert flags == {"interval": "5s"}
    assert args == ["CMD", '["python",', '"-c",', '"print(1)"]']


def test_shell_form_is_not_an_array() -> None:
    assert parse("FROM x\nCMD echo hi\n").final.last("CMD").exec_form() is None  # type: ignore[union-attr]


def test_escape_directive_changes_the_continuation_character() -> None:
    text = "# escape=`\nFROM x\nRUN echo a `\n    b\n"
    assert parse(text).final.all("RUN")[0].value == "echo a b"


@pytest.mark.parametrize(
    "text", ["RUN echo hi\n", "", "FROM x\nRUN <<EOF\necho\nEOF\n"], ids=["before-from", "empty", "heredoc"]
)
def test_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError):
        parse(text)


def test_substitute_build_argument_defaults() -> None:
    variables = {"BASE": "python:3.11", "EMPTY": ""}
    assert substitute("${BASE} $BASE ${EMPTY:-fallback} ${MISSING}", variables) == "python:3.11 python:3.11 fallback "


def test_dockerignore_allowlist_with_nested_exclusions() -> None:
    ignore = DockerIgnore("*\n!src\n!docker/keep.py\n**/__pycache__\n**/*.py[cod]\n")
    assert ignore.excluded(".venv/bin/python")
    assert ignore.excluded("README.md")
    assert not ignore.excluded("src")
    assert not ignore.excluded("src/pkg/module.py")
    assert ignore.excluded("src/pkg/__pycache__/module.cpython-311.pyc")
    assert ignore.excluded("src/stray.pyc")
    assert not ignore.excluded("docker/keep.py")
    assert ignore.excluded("docker/other.py")


def test_dockerignore_last_match_wins_and_patterns_are_cleaned() -> None:
    ignore = DockerIgnore("# comment\n/build/\n!build/keep\nbuild/keep/secret\n*.log\n")
    assert ignore.excluded("build/x")
    assert not ignore.excluded("build/keep/a")
    assert ignore.excluded("build/keep/secret")
    assert ignore.excluded("top.log")
    assert not ignore.excluded("sub/nested.log")  # `*` does not cross folders


def test_dockerignore_double_star() -> None:
    ignore = DockerIgnore("**/cache\nresults/**\n")
    assert ignore.excluded("cache")
    assert ignore.excluded("a/b/cache/file")
    assert ignore.excluded("results/x/y")
    assert not ignore.excluded("results")
