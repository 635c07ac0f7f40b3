# shellcheck shell=bash
# ./luban bench <name> and ./luban image.

bench_usage() {
  cat <<USAGE
usage: ./luban bench <name> [options]
  frontdoor   the front door against direct, Apache, HAProxy and nginx with wrk (scripts/bench/frontdoor.sh --help)
  bond [N]    detection latency of N real veth link flips at the default 100 ms poll (root; default 60)
  bond-failover [options]
              the paper's NIC failover: two guests bonding two links in 802.3ad, one link pulled and restored;
              docs/bond-failover.svg/.csv, last line failover_gap_ms=.. lost=.. restored_gap_ms=.. (root; --help)
  policy      BenchmarkDotNet: one scaling decision for 1,000 hosts x 3 VMs
  warm-pool [--rounds N] [--save-rounds N]
              keeping a VM warm: pause in memory against managed save to disk on one real guest of the
              running cluster's image (./luban up --detach first): time back to serving, memory, disk, clock
  tls [ROUND_TRIPS] [CONNECTS]
              the control plane with and without mutual TLS: connect time and HostReport round trips over
              loopback (defaults 2000 and 10)
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
    bond-failover) bench_bond_failover "$benchmarks" "$@" ;;
    policy) ensure_runtime_deps; build_benchmarks; exec dotnet "$benchmarks" --filter '*ScalingPolicy*' "$@" ;;
    tls) ensure_runtime_deps; build_benchmarks; exec dotnet "$benchmarks" tls-latency "$@" ;;
    warm-pool)
      if [ ! -f "$RUN_DIR/hocon/node.hocon" ] || [ -z "$(running_pids)" ]; then
        die "bench warm-pool: needs a running cluster (./luban up --detach): it boots its guest from that cluster's image and settings"
      fi
      ensure_runtime_deps; build_benchmarks
      exec dotnet "$benchmarks" warm-pool --hocon "$RUN_DIR/hocon/node.hocon" "$@" ;;
    ""|--help|-h) bench_usage ;;
    *) die "bench: unknown benchmark '$name' (see ./luban bench --help)" ;;
  esac
}

# The bond lab (Luban.Benchmarks/BondFailover): its own guest image and libvirtd; it creates and destroys only its
# own transient domains (luban-lab-1, luban-lab-2), and the libvirtd only if this run started it.
BOND_LAB_DIR=""
bench_bond_failover() {
  local benchmarks=$1 arg code=0
  shift
  for arg in "$@"; do
    case "$arg" in -h|--help) ensure_dotnet; build_benchmarks; exec dotnet "$benchmarks" bond-failover --help ;; esac
  done
  [ "$(id -u)" -eq 0 ] || die "bench bond-failover: needs root (libvirtd and its guests run as root here)"
  ensure_runtime_deps
  ensure_apt gcc libc6-dev
  start_libvirtd
  LUBAN_LAB_IMAGE_DIR="$ROOT/.luban/lab-image" "$ROOT/scripts/vm/build-lab-image.sh" \
    || { stop_libvirtd_if_started; die "the lab image did not build"; }
  build_benchmarks
  # A killed run may leave its guests: those whose consoles lie under this run's lab folder go with it. The clean-up
  # logs to a file: the benchmark's result stays the last line.
  BOND_LAB_DIR="$RUN_DIR/bond-failover"
  trap 'destroy_run_domains "$BOND_LAB_DIR"; stop_libvirtd_if_started >>"$RUN_DIR/bond-failover-cleanup.log" 2>&1' EXIT
  dotnet "$benchmarks" bond-failover --image "$ROOT/.luban/lab-image" --run-dir "$BOND_LAB_DIR" --out "$ROOT/docs" \
    --command "./luban bench bond-failover${*:+ $*}" "$@" || code=$?
  return "$code"
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
