# shellcheck shell=bash
# ./luban bench <name> and ./luban image.

bench_usage() {
  cat <<USAGE
usage: ./luban bench <name> [options]
  frontdoor   the front door against direct, Apache, HAProxy and nginx with wrk (scripts/bench/frontdoor.sh --help)
  bond [N]    detection latency of N real veth link flips at the default 100 ms poll (root; default 60)
  policy      BenchmarkDotNet: one scaling decision for 1,000 hosts x 3 VMs
USAGE
}

build_benchmarks() {
  dotnet build "$ROOT/Luban.Benchmarks/Luban.Benchmarks.csproj" -c "$CONFIG" -nologo -v q >"$RUN_DIR/build.log" 2>&1 \
    || { cat "$RUN_DIR/build.log" >&2; die "build failed"; }
}

cmd_bench() {
  local name="${1:-}" benchmarks="$ROOT/Luban.Benchmarks/bin/$CONFIG/net10.0/Luban.Benchmarks.dll"
  [ $# -gt 0 ] && shift
  mkdir -p "$RUN_DIR"
  case "$name" in
    frontdoor) ensure_test_deps; exec "$ROOT/scripts/bench/frontdoor.sh" "$@" ;;
    bond) ensure_runtime_deps; ensure_apt iproute2; build_benchmarks; exec dotnet "$benchmarks" bond-latency "$@" ;;
    policy) ensure_runtime_deps; build_benchmarks; exec dotnet "$benchmarks" --filter '*ScalingPolicy*' "$@" ;;
    ""|--help|-h) bench_usage ;;
    *) die "bench: unknown benchmark '$name' (see ./luban bench --help)" ;;
  esac
}

# Builds the VM image: Luban.Web as a NativeAOT binary in a busybox initramfs with dropbear (scripts/vm/).
cmd_image() {
  [ "${1:-}" = "--help" ] && { "$ROOT/scripts/vm/build-image.sh" --help; exit 0; }
  mkdir -p "$RUN_DIR"
  ensure_test_deps
  LUBAN_RUN_DIR="$LIBVIRT_DIR" "$ROOT/scripts/vm/install.sh" >/dev/null
  say "publishing Luban.Web as a NativeAOT binary"
  local web_bin
  web_bin="$(publish_web_aot)"
  LUBAN_WEB_BIN="$web_bin" "$ROOT/scripts/vm/build-image.sh" "$@"
}
