#!/usr/bin/env bash
# Installs what Luban's VM layer needs (libvirt + QEMU without systemd, the image builder's tools) and writes the
# project's own libvirt configuration. Idempotent: a second run changes nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<USAGE
Usage: scripts/vm/install.sh [--help]

Installs (apt, --no-install-recommends, 'apt-get update' only when something is missing):
  ${PACKAGES[*]}
Creates the system user/group 'libvirt-qemu' (libvirtd 9.0 looks it up before reading qemu.conf).
Writes the project's configuration:
  \$LUBAN_RUN_DIR/libvirtd.conf, \$LUBAN_RUN_DIR/virtlogd.conf   (LUBAN_RUN_DIR=${LUBAN_RUN_DIR})
  ${LUBAN_QEMU_CONF}   (fixed path: the QEMU driver of a system daemon reads only this file)
Never pulls libvirt-daemon-system (it brings systemd and polkit).
USAGE
}

PACKAGES=(
    libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 libvirt-clients   # the hypervisor, without systemd
    tini                                                                         # reaps orphans fast for libvirtd
    busybox-static cpio lz4 kmod                                                 # image builder: initramfs, vmlinux, depmod
    dropbear-bin                                                                 # SSH server inside the guest
    openssh-client                                                               # ssh-keygen: agent key pair, fingerprints
    socat                                                                        # a guest's one way out: its database forward
)

case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    "") ;;
    *) usage >&2; die "unknown argument: $1" ;;
esac
require_root

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do is_installed "$p" || missing+=("$p"); done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "packages: all ${#PACKAGES[@]} already installed"
        return
    fi
    log "packages: installing missing ${missing[*]}"
    apt-get update -qq
    # Service start-up from maintainer scripts is refused: there is no systemd here and we start daemons ourselves.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || {
        [[ $created_policy -eq 1 ]] && rm -f "$policy"
        die "apt-get install failed for: ${missing[*]}"
    }
    [[ $created_policy -eq 1 ]] && rm -f "$policy"
    if is_installed libvirt-daemon-system; then
        log "WARNING: libvirt-daemon-system is installed (not by this script); it is not needed and pulls systemd"
    fi
}

ensure_user() {
    if ! getent group libvirt-qemu >/dev/null; then
        groupadd --system libvirt-qemu
        log "created system group libvirt-qemu"
    fi
    if ! getent passwd libvirt-qemu >/dev/null; then
        useradd --system --gid libvirt-qemu --home-dir /var/lib/libvirt --no-create-home \
            --shell /usr/sbin/nologin libvirt-qemu
        log "created system user libvirt-qemu (libvirtd 9.0 fails with \"Failed to parse user 'libvirt-qemu'\" without it)"
    fi
}

# Writes $2 to $1 only when the content differs, so reruns do not touch mtimes.
write_if_changed() {
    local path=$1 content=$2
    if [[ -f $path ]] && [[ "$(cat "$path")" == "$content" ]]; then
        log "config: $path unchanged"
        return
    fi
    mkdir -p "$(dirname "$path")"
    if [[ -f $path ]] && ! grep -q 'Written by Luban' "$path"; then
        cp -p "$path" "$path.orig-luban"
        log "config: kept the previous $path as $path.orig-luban"
    fi
    printf '%s\n' "$content" >"$path.tmp.$$"
    mv "$path.tmp.$$" "$path"
    log "config: wrote $path"
}

write_configs() {
    mkdir -p "$LUBAN_RUN_DIR"
    write_if_changed "$LUBAN_RUN_DIR/libvirtd.conf" "# Written by Luban scripts/vm/install.sh; rewritten on every install.
# Local UNIX socket only, no authentication: only root can reach /run/libvirt/libvirt-sock (0700 dir, root group).
auth_unix_ro = \"none\"
auth_unix_rw = \"none\"
unix_sock_group = \"root\"
unix_sock_ro_perms = \"0770\"
unix_sock_rw_perms = \"0770\"
log_level = 3
log_outputs = \"3:file:$LUBAN_RUN_DIR/libvirtd.log\""

    write_if_changed "$LUBAN_RUN_DIR/virtlogd.conf" "# Written by Luban scripts/vm/install.sh; rewritten on every install.
log_level = 3
log_outputs = \"3:file:$LUBAN_RUN_DIR/virtlogd.log\""

    write_if_changed "$LUBAN_QEMU_CONF" "# Written by Luban scripts/vm/install.sh; rewritten on every install.
# Guests run as root without a security driver: there is no AppArmor/SELinux profile set-up on these hosts.
user = \"root\"
group = \"root\"
security_driver = \"none\"
dynamic_ownership = 0
# No per-guest mount namespace: it needs privileges containers often lack and buys nothing for these guests.
namespaces = []
# A guest's one way out, its records-database forward, is a command QEMU spawns per guest connection (guestfwd
# cmd:socat). libvirt's QEMU seccomp sandbox forbids spawning (spawn=deny), so it is off. The guest itself stays
# fenced by user networking with restrict=on: it reaches nothing of its host but that forward.
seccomp_sandbox = 0
# Keep root's capabilities in the emulator process: ./luban up --netns names a wrapper as the emulator that enters
# the host's network namespace (setns needs CAP_SYS_ADMIN) before it becomes QEMU.
clear_emulator_capabilities = 0"
}

install_packages
ensure_user
write_configs
for bin in libvirtd virtlogd virsh qemu-system-x86_64 tini busybox dropbear dropbearkey ssh-keygen cpio lz4 depmod; do
    command -v "$bin" >/dev/null || [[ -x /usr/sbin/$bin || -x /bin/$bin ]] || die "after install, '$bin' is still not on PATH"
done
log "ready: start the daemons with scripts/vm/libvirtd.sh start"
