#!/usr/bin/env bash
# Hosts A, B, C as Linux network namespaces on one machine: a bridge in the root namespace and one veth pair per host.
# `scripts/netns/netns.sh --help` explains the commands; ./luban up --netns and the end-to-end test use it.
set -euo pipefail

PREFIX="${LUBAN_NETNS_PREFIX:-luban}"
SUBNET="${LUBAN_NETNS_SUBNET:-10.77.0}"
HOSTS="a b c"
STATE_DIR=""

die() { printf 'netns: %s\n' "$*" >&2; exit 1; }
log() { printf 'netns: %s\n' "$*" >&2; }

usage() {
  cat <<USAGE
usage: scripts/netns/netns.sh <up|down|status|env> [options]

  up       make (idempotently) a bridge in the root namespace and, for each host, a network namespace joined to it
           by a veth pair; write an emulator wrapper per host that starts QEMU inside that host's namespace
  down     remove the namespaces, veth pairs and the bridge this script made (by name)
  status   show what exists
  env      print names and addresses as shell assignments (PREFIX=, NETNS_A=, ADDR_A=, BRIDGE_ADDR=, EMULATOR_B=, …)

options:
  --prefix P     names: namespaces P-a, P-b, P-c; bridge P-br; root-side veths vP-a …  ($PREFIX; LUBAN_NETNS_PREFIX)
  --subnet X.Y.Z addresses X.Y.Z.1 (A), .2 (B), .3 (C), .254 the root namespace on the bridge
                                                                             ($SUBNET; LUBAN_NETNS_SUBNET)
  --hosts "a b c" the hosts to make: a..f, or a1 and a2 for two front-end hosts ($HOSTS)
  --state-dir D  where the emulator wrappers go      (<repo>/.luban/netns/<prefix>)

Layout (defaults):
  root namespace   ${PREFIX}-br ${SUBNET}.254/24   the load generator, PostgreSQL, libvirtd
  ${PREFIX}-a          eth0 ${SUBNET}.1/24          seed + front door (host A)
  ${PREFIX}-b          eth0 ${SUBNET}.2/24          agent B; its guests' QEMU processes and port forwards
  ${PREFIX}-c          eth0 ${SUBNET}.3/24          agent C; likewise
With --hosts "a1 a2 b c" (./luban up --ha): ${PREFIX}-a1 at ${SUBNET}.1 and ${PREFIX}-a2 at ${SUBNET}.10, two front-end hosts
sharing the virtual address ${SUBNET}.100.
Needs root and iproute2 (ip, nsenter from util-linux).
USAGE
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
while (($#)); do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --subnet) SUBNET="$2"; shift 2 ;;
    --hosts) HOSTS="$2"; shift 2 ;;
    --state-dir) STATE_DIR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

[[ "$PREFIX" =~ ^[a-z][a-z0-9]{0,9}$ ]] || die "--prefix '$PREFIX': 1-10 lower-case letters and digits, starting with a letter"
[[ "$SUBNET" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "--subnet '$SUBNET': three octets, e.g. 10.77.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${STATE_DIR:-$ROOT/.luban/netns/$PREFIX}"
BRIDGE="${PREFIX}-br"
BRIDGE_ADDR="$SUBNET.254"

index_of() {
  case "$1" in a|a1) echo 1 ;; b) echo 2 ;; c) echo 3 ;; d) echo 4 ;; e) echo 5 ;; f) echo 6 ;; a2) echo 10 ;;
    *) die "host '$1': one of a..f, a1, a2" ;;
  esac
}
ns_of() { echo "${PREFIX}-$1"; }
veth_of() { echo "v${PREFIX}-$1"; }
addr_of() { echo "$SUBNET.$(index_of "$1")"; }
emulator_of() { echo "$STATE_DIR/qemu-$1"; }

require_root() { [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"; }

cmd_up() {
  require_root
  command -v ip >/dev/null || die "ip (iproute2) is missing"
  command -v nsenter >/dev/null || die "nsenter (util-linux) is missing"
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    log "bridge $BRIDGE made"
  fi
  ip addr replace "$BRIDGE_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  mkdir -p "$STATE_DIR"
  local h ns veth
  for h in $HOSTS; do
    ns="$(ns_of "$h")"
    veth="$(veth_of "$h")"
    ip netns list | grep -qx "$ns\( (id: [0-9]*)\)\?" || { ip netns add "$ns"; log "namespace $ns made"; }
    if ! ip link show "$veth" >/dev/null 2>&1; then
      # The namespace end is made under a unique temporary name, then moved in and renamed eth0.
      ip link add "$veth" type veth peer name "t${PREFIX}-$h"
      ip link set "t${PREFIX}-$h" netns "$ns"
      ip -n "$ns" link set "t${PREFIX}-$h" name eth0
    fi
    ip link set "$veth" master "$BRIDGE"
    ip link set "$veth" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr replace "$(addr_of "$h")/24" dev eth0
    ip -n "$ns" link set eth0 up
    # libvirtd starts this instead of QEMU: the guest's user-mode network and port forwards then live in the host's
    # namespace, as they would on a separate machine. (libvirtd must keep the emulator's capabilities for setns.)
    cat >"$(emulator_of "$h").tmp" <<WRAPPER
#!/bin/sh
# Written by scripts/netns/netns.sh: QEMU inside network namespace $ns (host ${h^^}).
exec nsenter --net=/run/netns/$ns -- /usr/bin/qemu-system-x86_64 "\$@"
WRAPPER
    chmod +x "$(emulator_of "$h").tmp"
    mv "$(emulator_of "$h").tmp" "$(emulator_of "$h")"
  done
  # Every host reaches every other through the bridge; check it once rather than fail later in a confusing way.
  command -v ping >/dev/null || { log "ping (iputils-ping) is missing: reachability not checked"; HOSTS_TO_PING=""; }
  for h in ${HOSTS_TO_PING-$HOSTS}; do
    ip netns exec "$(ns_of "$h")" ping -c 1 -W 2 "$BRIDGE_ADDR" >/dev/null 2>&1 \
      || die "$(ns_of "$h") cannot reach $BRIDGE_ADDR over $BRIDGE (is bridge traffic filtered? check br_netfilter / iptables FORWARD)"
  done
  log "up: $BRIDGE $BRIDGE_ADDR; $(for h in $HOSTS; do printf '%s %s  ' "$(ns_of "$h")" "$(addr_of "$h")"; done)"
}

cmd_down() {
  require_root
  local h
  for h in $HOSTS; do
    ip link show "$(veth_of "$h")" >/dev/null 2>&1 && ip link del "$(veth_of "$h")"
    if ip netns list | grep -q "^$(ns_of "$h")\b"; then
      local pids
      pids="$(ip netns pids "$(ns_of "$h")" 2>/dev/null || true)"
      [ -z "$pids" ] || log "$(ns_of "$h") still has processes (${pids//$'\n'/ }); removing the namespace name only"
      ip netns del "$(ns_of "$h")"
    fi
    rm -f "$(emulator_of "$h")"
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  rmdir "$STATE_DIR" 2>/dev/null || true
  log "down: $PREFIX namespaces, veths and bridge removed"
}

cmd_status() {
  local h
  ip -br addr show "$BRIDGE" 2>/dev/null || echo "$BRIDGE: absent"
  for h in $HOSTS; do
    if ip netns list | grep -q "^$(ns_of "$h")\b"; then
      printf '%s: ' "$(ns_of "$h")"; ip -n "$(ns_of "$h")" -br addr show eth0 2>/dev/null || echo "no eth0"
    else
      echo "$(ns_of "$h"): absent"
    fi
  done
}

cmd_env() {
  local h H
  echo "PREFIX=$PREFIX"
  echo "SUBNET=$SUBNET"
  echo "HOSTS=\"$HOSTS\""
  echo "BRIDGE=$BRIDGE"
  echo "BRIDGE_ADDR=$BRIDGE_ADDR"
  # The address two front-end hosts share (./luban up --ha; keepalived puts it on one of them).
  echo "VIP=$SUBNET.100"
  for h in $HOSTS; do
    H="${h^^}"
    echo "NETNS_$H=$(ns_of "$h")"
    echo "ADDR_$H=$(addr_of "$h")"
    echo "EMULATOR_$H=$(emulator_of "$h")"
  done
}

case "$cmd" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  ""|-h|--help) usage ;;
  *) die "unknown command '$cmd' (see --help)" ;;
esac
