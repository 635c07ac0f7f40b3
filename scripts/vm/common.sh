# Shared helpers for scripts/vm/*.sh. Sourced, not executed.
# shellcheck shell=bash

LUBAN_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Where the daemons keep their project-owned config, PID files and logs.
LUBAN_RUN_DIR="${LUBAN_RUN_DIR:-$LUBAN_REPO_ROOT/.luban/libvirt}"
# The QEMU driver of a system libvirtd reads qemu.conf from this fixed path; libvirtd cannot be pointed elsewhere.
LUBAN_QEMU_CONF="${LUBAN_QEMU_CONF:-/etc/libvirt/qemu.conf}"
LUBAN_LIBVIRT_URI="${LUBAN_LIBVIRT_URI:-qemu:///system}"

log() { printf '[%s] %s: %s\n' "$(date +%H:%M:%S)" "$(basename "$0" .sh)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (libvirtd and its QEMU guests run as root here, see VM-GUEST.md)"
}

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}
