#!/usr/bin/env bash
# Loopback benchmark of one Luban.Web instance with Debian wrk: POST /api/evaluations (anonymous: scored, not
# stored) and GET /api/ruler.
# Usage: bench/run.sh <path-to-Luban.Web-binary> [connection-string]   (default: a fresh SQLite file)
set -euo pipefail
binary="$1"
connection="${2:-Data Source=$(mktemp -d)/bench.db}"
here="$(cd "$(dirname "$0")" && pwd)"
port="${PORT:-5099}"
"$binary" --urls "http://127.0.0.1:$port" --connection-string "$connection" --instance bench &
pid=$!
trap 'kill $pid' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
echo "== POST /api/evaluations (anonymous: scored, not stored)"
wrk -t2 -c16 -d10s --latency -s "$here/post-evaluation.lua" "http://127.0.0.1:$port/api/evaluations" | grep -E "Requests/sec|50%|99%|Non-2xx"
echo "== GET /api/ruler"
wrk -t2 -c16 -d10s --latency "http://127.0.0.1:$port/api/ruler?cm=210&element=MAIN_DOOR" | grep -E "Requests/sec|50%|99%|Non-2xx"
