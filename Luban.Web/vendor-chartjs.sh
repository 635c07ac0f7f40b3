#!/usr/bin/env bash
# Refreshes the vendored Chart.js (MIT) build in wwwroot from the npm registry; the result is committed.
set -euo pipefail
version="${1:-4.6.1}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "chart.js@$version" --silent >/dev/null && tar xzf chart.js-*.tgz)
cp "$work/package/dist/chart.umd.min.js" "$here/wwwroot/chart.umd.min.js"
cp "$work/package/LICENSE.md" "$here/wwwroot/chart.js.LICENSE.txt"
echo "chart.js $version vendored into wwwroot"
