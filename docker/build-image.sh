#!/usr/bin/env bash
# Build acisim's image where no image registry is reachable: a debootstrapped Debian bookworm base (kept by
# its tag, acisim-base:bookworm), the wheels built on the host, then the Dockerfile with no network.
# Options go to tools/container_image.py: --tag acisim:latest, --base python:3.11-slim, --rebuild-base.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 tools/container_image.py "$@"
