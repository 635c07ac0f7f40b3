# shellcheck shell=bash
# ./luban --help: every verb, option and environment variable.

usage() {
  cat <<USAGE
usage: ./luban <verb> [options]

verbs:
  up [--detach] [--netns [--ha]] [--balance=round-robin|least-requests] [--warm-pool=N] [--no-build]
                  install what is missing, build (Release), start a seed (host A) and two agents (hosts B, C)
                  on loopback, wait until all three are Up, print the admin URL and the PIDs; stays in the
                  foreground until Ctrl-C, or returns once the cluster is Up with --detach.
                  --netns: hosts A, B, C in network namespaces joined by a bridge (scripts/netns/netns.sh):
                  seed + front door in A (10.77.0.1), agents and their VMs in B (.2) and C (.3); the CLI and
                  ./luban load find it by themselves (RUN_DIR/cluster.env).
                  --ha (with --netns): two front-end hosts A1 (10.77.0.1) and A2 (.10), each with a seed and a
                  front door, behind the virtual address 10.77.0.100 (keepalived VRRP): the public address, the
                  admin and the CLI's way in; the supervisor moves to the other host when one is lost.
                  --balance: the front door's load balancing (default round-robin, the paper's).
                  --warm-pool=N: VMs each host keeps booted and suspended for a scale-out in about a second
                  (default 1; 0 turns the pool off); up waits until every host's pool is full.
                  --no-build: use the binaries, NativeAOT service and image as they are
  down            stop a detached cluster (by the PIDs it recorded, each checked against the command line it
                  was started with), destroy the VMs whose consoles are under its RUN_DIR/vm, stop the
                  services it started, and wait until no process is left
  test            install what the tests need, build, and run the whole test suite; ends with one line
                  "N passed, N failed, N skipped" and fails when a test failed or was skipped
  image           build the VM image (Luban.Web NativeAOT in a busybox initramfs; cached)
  load [options]  hold client connections against the front door along a profile (ramp, hold, fall) with a
                  progress line and the failed count; --figure15 reproduces the paper's experiment
                  (chart + CSV under docs/); ./luban load --help
  bench <name>    benchmarks: frontdoor, bond, policy (./luban bench --help)
  --help          this text

environment (defaults for one machine):
  LUBAN_SEED_PORT   cluster port of the seed            (4053)
  LUBAN_ADMIN_URL   seed admin endpoint                 (http://127.0.0.1:8090)
  LUBAN_RUN_DIR     PID files and logs of a run         (<repo>/.luban/run)
  LUBAN_PUBLIC_URL  the front door                      (http://127.0.0.1:8080)
  LUBAN_UP_TIMEOUT  seconds to wait for the cluster     (180)
  LUBAN_PG_PORT, LUBAN_PG_DIR   the run's PostgreSQL    (55432, <repo>/.luban/pg)
  LUBAN_NETNS_PREFIX, LUBAN_NETNS_SUBNET   --netns names and addresses (luban, 10.77.0)
  LUBAN_TEST_PG_PORT  the tests' PostgreSQL             (55433)
  LUBAN_E2E=0       test: skip the end-to-end specs (the run then fails unless LUBAN_ALLOW_SKIP=1)
  LUBAN_ALLOW_SKIP=1  test: skipped tests are listed but do not fail the run (CI never sets it)

operator verbs (the luban CLI; ./luban <verb> --help for each):
  status | events [--follow] | vm start [--host H] | vm stop <vm> | policy show | policy set <key> <value>
  autoscale pause|resume | bond status        options: --seed ADDR (LUBAN_SEEDS), --timeout T, --json
USAGE
}
