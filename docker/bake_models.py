"""Download the models named at build time into `<dest>/<name>`, after checking them against MODEL_NAMES.

The Dockerfile's `models` stage runs

    python bake_models.py --dest /models --bake "$BAKE_MODELS" --serve "$MODEL_NAMES" --exclude "$BAKE_EXCLUDE"

- `--bake`: `;`-separated Hugging Face repo ids, each optionally pinned as `org/name@revision`;
  `org/name` lands in `<dest>/name`, which is the id clients send (`/models/Qwen3-Embedding-0.6B`).
  An entry starting with `./` is a folder of the build context, copied instead of downloaded:
  `./docker/context/models/name` lands in `<dest>/name` too (no Hub, no network).
- `--serve`: the image's MODEL_NAMES. The image runs offline, so every entry must be a path: each
  `<dest>/name` entry must be baked, and every baked model must be served (a forgotten build argument
  otherwise bakes gigabytes nobody serves, or serves a model that is not there). Paths elsewhere
  (a mounted volume) are taken as they are. Empty means the embedded all-MiniLM-L6-v2: bake nothing.
- `--exclude`: `;`-separated glob patterns of repo files not to download (other frameworks' weights).
  When a repo has `*.safetensors` weights, its duplicate `pytorch_model*.bin` files are skipped too.

The checks run before any download, so a wrong build argument fails the build in seconds.
`--needs-hub` only checks, and exits 0 when a Hub download is planned (the stage installs its client then).
A token for gated models is read the usual way (HF_TOKEN), never from a build argument.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPO_ID = re.compile(r"^(?:[\w.-]+/)?[\w.-]+$")
BIN_WEIGHTS = "pytorch_model*.bin"


class BakeError(Exception):
    """A build argument that cannot produce a working image; the message says which and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Bake:
    repo_id: str  # or, for a local folder, its path as given (`./docker/context/models/name`)
    revision: str | None
    target: PurePosixPath

    @property
    def local(self) -> bool:
        return self.repo_id.startswith("./")


def split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def plan(bake: str, serve: str, dest: str = "/models") -> list[Bake]:
    """What to download where; raises BakeError when the image would not serve what it bakes."""
    root = PurePosixPath(dest)
    bakes = [_parse(entry, root) for entry in split(bake)]
    targets = [b.target for b in bakes]
    clashes = sorted({str(t) for t in targets if targets.count(t) > 1})
    if clashes:
        raise BakeError(f"BAKE_MODELS: two models would land in {clashes[0]}; bake models with distinct names")
    served = split(serve)
    served_paths = {PurePosixPath(entry) for entry in served}
    for entry in served:
        path = PurePosixPath(entry)
        if not path.is_absolute():
            raise BakeError(
                f"MODEL_NAMES: {entry!r} is a Hugging Face id, but the image runs offline; bake it with "
                f"BAKE_MODELS={entry} and serve {root / entry.rsplit('/', 1)[-1]}"
            )
        if root in path.parents and path not in targets:
            raise BakeError(f"MODEL_NAMES: {entry} is not baked; add its repo id to BAKE_MODELS")
    unserved = [str(b.target) for b in bakes if b.target not in served_paths]
    if unserved:
        raise BakeError(
            f"BAKE_MODELS bakes {', '.join(unserved)} but MODEL_NAMES does not serve it; add it to MODEL_NAMES"
            " or leave it out of BAKE_MODELS (both empty builds the embedded all-MiniLM-L6-v2 image)"
        )
    return bakes


def _parse(entry: str, root: PurePosixPath) -> Bake:
    if entry.startswith("./"):
        folder = PurePosixPath(entry)
        if ".." in folder.parts or folder.name in {"", "."}:
            raise BakeError(f"BAKE_MODELS: {entry!r} must be a folder inside the build context")
        return Bake(repo_id=entry, revision=None, target=root / folder.name)
    repo_id, _, revision = entry.partition("@")
    if not REPO_ID.match(repo_id) or {".", ".."} & set(repo_id.split("/")):
        raise BakeError(f"BAKE_MODELS: {entry!r} is not a Hugging Face repo id (org/name or org/name@revision)")
    return Bake(repo_id=repo_id, revision=revision or None, target=root / repo_id.rsplit("/", 1)[-1])


def skipped_files(files: list[str], exclude: list[str]) -> list[str]:
    """The repo files not to download: excluded patterns, and .bin weights that safetensors duplicate."""
    patterns = list(exclude)
    if any(f.endswith(".safetensors") for f in files):
        patterns.append(BIN_WEIGHTS)
    return [f for f in files if any(_matches(f, p) for p in patterns)]


def _matches(path: str, pattern: str) -> bool:
    # `*.onnx` should match `onnx/model.onnx` too: try the bare file name as well as the path.
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern)


def download(bake: Bake, exclude: list[str]) -> None:
    target = Path(bake.target)
    if bake.local:
        copy_local(Path(bake.repo_id), target, exclude)
    else:
        from huggingface_hub import HfApi, snapshot_download

        files = HfApi().list_repo_files(bake.repo_id, revision=bake.revision)
        skipped = set(skipped_files(files, exclude))
        wanted = [f for f in files if f not in skipped]
        snapshot_download(bake.repo_id, revision=bake.revision, local_dir=target, allow_patterns=wanted)
        # local_dir downloads keep their bookkeeping in `.cache/`: nothing reads it offline.
        shutil.rmtree(target / ".cache", ignore_errors=True)
    if not (target / "config.json").is_file():
        raise BakeError(f"{bake.repo_id}: no config.json after download; is it a transformers model?")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"baked {bake.repo_id}{'@' + bake.revision if bake.revision else ''} -> {target} ({size / 2**20:.0f} MiB)")


def copy_local(source: Path, target: Path, exclude: list[str]) -> None:
    if not source.is_dir():
        raise BakeError(f"BAKE_MODELS: {source} is not a folder of the build context (is it in docker/context/models?)")
    files = [p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()]
    skipped = set(skipped_files(files, exclude))
    for name in files:
        if name not in skipped:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target / name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default="/models")
    parser.add_argument("--bake", default="", help="BAKE_MODELS")
    parser.add_argument("--serve", default="", help="MODEL_NAMES")
    parser.add_argument("--exclude", default="", help="BAKE_EXCLUDE")
    parser.add_argument("--check-only", action="store_true", help="check the arguments, download nothing")
    parser.add_argument("--needs-hub", action="store_true", help="check; exit 0 when a Hub download is planned")
    args = parser.parse_args(argv)
    try:
        bakes = plan(args.bake, args.serve, args.dest)
        if args.needs_hub:
            return 0 if any(not b.local for b in bakes) else 1
        if args.check_only:
            return 0
        Path(args.dest).mkdir(parents=True, exist_ok=True)
        for bake in bakes:
            download(bake, split(args.exclude))
    except BakeError as exc:
        print(f"bake_models: {exc}", file=sys.stderr)
        return 2
    if not bakes:
        print("bake_models: nothing to bake; the image serves the embedded all-MiniLM-L6-v2")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
