"""`python -m entrypoints.runpod [--rp_serve_api --rp_api_port N ...]` is `embedrank runpod ...`."""

from __future__ import annotations

import sys

from entrypoints.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["runpod", *sys.argv[1:]]))
