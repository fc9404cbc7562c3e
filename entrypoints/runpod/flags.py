"""The runpod SDK's command-line flags, declared by `embedrank runpod` and handed on to the SDK.

The SDK parses them from `sys.argv` itself; declaring them here gives `--help` and lets our own
argparse accept them instead of failing on an unknown option.
"""

from __future__ import annotations

import argparse
from typing import Any

# `--rp_api_concurrency` is left out on purpose: uvicorn cannot start several workers from the app
# object the SDK hands it, so the flag would only crash the server.
RUNPOD_FLAGS: dict[str, dict[str, Any]] = {
    "--rp_serve_api": {"action": "store_true", "help": "start the SDK's local test API (/run, /runsync, /status)"},
    "--rp_api_port": {"type": int, "metavar": "PORT", "help": "port of the local test API (SDK default 8000)"},
    "--rp_api_host": {"metavar": "HOST", "help": "bind address of the local test API (SDK default localhost)"},
    "--rp_log_level": {"metavar": "LEVEL", "help": "the SDK's log level: ERROR, WARN, INFO or DEBUG"},
    "--rp_debugger": {"action": "store_true", "help": "add the SDK's debugger timings to job output"},
    "--test_input": {"metavar": "JSON", "help": "run this one job and exit (default: ./test_input.json)"},
}


def add_runpod_flags(parser: argparse.ArgumentParser) -> None:
    for flag, options in RUNPOD_FLAGS.items():
        parser.add_argument(flag, **options)


def runpod_argv(args: argparse.Namespace) -> list[str]:
    """The SDK's flags as the user gave them, ready to become `sys.argv[1:]`."""
    argv: list[str] = []
    for flag in RUNPOD_FLAGS:
        value = getattr(args, flag.removeprefix("--"), None)
        if value is True:
            argv.append(flag)
        elif value is not None and value is not False:
            argv.extend([flag, str(value)])
    return argv
