# shellcheck shell=bash
# What ./luban needs on the machine: Debian packages (apt, --no-install-recommends), the .NET SDK, npm modules.

# Installs the Debian packages given that are missing; idempotent, and silent when nothing is missing.
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages ${missing[*]}: run as root or install them with apt-get"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet on PATH)"
}

ensure_runtime_deps() {
  ensure_dotnet
  ensure_apt curl jq procps
}

ensure_test_deps() {
  ensure_runtime_deps
  # clang + zlib: NativeAOT; postgresql: shared records; chromium + fonts: page tests; wrk: benchmarks; the
  # package with shellcheck: the scripts' own spec (Luban.Tests/Scripts); keepalived: the end-to-end cluster's two
  # front-end hosts (./luban up --netns --ha); prometheus (promtool) and python3-prometheus-client: /metrics checked
  # by Prometheus's own linter and text parser.
  ensure_apt clang-14 zlib1g-dev postgresql chromium fonts-wqy-zenhei wrk openssh-client iproute2 shellcheck keepalived \
    prometheus python3-prometheus-client
  # Node.js with npm drives the browser tests; this machine kind ships it, Debian's packages stand in otherwise.
  command -v npm >/dev/null || ensure_apt nodejs npm
  local browser="$ROOT/Luban.Tests/Web/browser"
  if [ ! -d "$browser/node_modules/playwright-core" ]; then
    say "installing the browser test driver (npm playwright-core)"
    npm ci --prefix "$browser" --no-audit --no-fund --loglevel=error >/dev/null
  fi
}
