#!/usr/bin/env bash
# Builds normviz (installing what is missing), then runs it: ./scripts/run.sh [normviz args]
# The desktop program needs an X display; the headless subcommands do not, and render /
# bench-render draw off screen through EGL without one.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >&2   # keep stdout for normviz's own output
case "${1-}" in
    normalize | stats | mask | bench | render | bench-render | help | --help | -h | --version) ;;
    *)
        if [[ -z "${DISPLAY-}" ]]; then
            echo "run.sh: no display (DISPLAY is not set); run it under Xvfb: xvfb-run -a ./scripts/run.sh${*:+ ${*@Q}}" >&2
            exit 1
        fi
        ;;
esac
exec ./build/app/normviz "$@"
