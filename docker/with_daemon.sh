#!/usr/bin/env bash
# Runs a command with a Docker daemon answering, for `make image` and `make test-image`.
#
# When none answers (`docker info`, so DOCKER_HOST is honoured) and we are root, it installs Debian's
# docker.io if dockerd is missing, starts dockerd (listening where a unix:// DOCKER_HOST points, else on
# the default socket), runs the command, and stops the daemon it started.
# When no daemon can be had, it says why, exports EMBEDRANK_NO_DOCKER (the reason; the container tests
# skip with it) and still runs the command: a machine without Docker is not a failure of the image.
set -uo pipefail

log="${TMPDIR:-/tmp}/embedrank-dockerd.log"
started_pid=""
reason=""

answers() { docker info > /dev/null 2>&1; }

start_daemon() {
    if [ "$(id -u)" != 0 ]; then
        reason="no Docker daemon answers, and starting one needs root"
        return
    fi
    if ! command -v dockerd > /dev/null; then
        echo "with_daemon: installing Debian's docker.io"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io; } > "$log" 2>&1; then
            reason="no Docker daemon answers, and apt-get install docker.io failed: $(tail -n 1 "$log")"
            return
        fi
    fi
    local listen=()
    case "${DOCKER_HOST:-}" in
        unix://*) listen=(-H "$DOCKER_HOST" --pidfile "${DOCKER_HOST#unix://}.pid") ;;
    esac
    echo "with_daemon: starting dockerd ${listen[*]} (log: $log)"
    dockerd "${listen[@]}" > "$log" 2>&1 &
    started_pid=$!
    for _ in $(seq 60); do
        answers && return
        if ! kill -0 "$started_pid" 2> /dev/null; then
            reason="dockerd exited at start: $(tail -n 1 "$log")"
            started_pid=""
            return
        fi
        sleep 1
    done
    reason="dockerd did not answer within 60 s: $(tail -n 1 "$log")"
    stop_daemon
}

stop_daemon() {
    if [ -n "$started_pid" ]; then
        echo "with_daemon: stopping the dockerd it started"
        kill "$started_pid" 2> /dev/null
        wait "$started_pid" 2> /dev/null
        started_pid=""
    fi
}

if ! command -v docker > /dev/null && ! command -v dockerd > /dev/null && [ "$(id -u)" != 0 ]; then
    reason="no docker command here, and installing one needs root"
elif ! answers; then
    start_daemon
fi
trap stop_daemon EXIT
if [ -n "$reason" ]; then
    echo "with_daemon: $reason"
    export EMBEDRANK_NO_DOCKER="$reason"
fi
"$@"
