# shellcheck shell=bash
# libvirtd for a run (scripts/vm/libvirtd.sh, without systemd) and the domains a run defined.

LIBVIRT_DIR="$ROOT/.luban/libvirt"
LIBVIRT_URI=qemu:///system
STARTED_LIBVIRTD=0

libvirtd_script() { LUBAN_RUN_DIR="$LIBVIRT_DIR" "$ROOT/scripts/vm/libvirtd.sh" "$@"; }

# Starts libvirtd (and virtlogd) without systemd unless it already answers; remembers whether this run started it.
start_libvirtd() {
  LUBAN_RUN_DIR="$LIBVIRT_DIR" "$ROOT/scripts/vm/install.sh" >/dev/null
  if libvirtd_script status >/dev/null 2>&1; then return 0; fi
  LUBAN_RUN_DIR="$LIBVIRT_DIR" without_inherited_fds "$ROOT/scripts/vm/libvirtd.sh" start
  STARTED_LIBVIRTD=1
}

stop_libvirtd_if_started() {
  ((STARTED_LIBVIRTD)) || return 0
  libvirtd_script stop || true
  STARTED_LIBVIRTD=0
}

# run_domains DIR: the domains, running or not, whose serial console log lives under DIR. Agents and tests write
# their guests' consoles under their own run's folder, so this is exactly what that run defined.
run_domains() {
  local dir domain
  dir="$(realpath -m -- "$1")"
  command -v virsh >/dev/null && virsh -c "$LIBVIRT_URI" list --all --name >/dev/null 2>&1 || return 0
  for domain in $(virsh -c "$LIBVIRT_URI" list --all --name 2>/dev/null); do
    virsh -c "$LIBVIRT_URI" dumpxml "$domain" 2>/dev/null \
      | grep -qF -e "<source path='$dir/" -e "<source path=\"$dir/" && echo "$domain"
  done
  return 0
}

# destroy_run_domains DIR: destroys and undefines the domains whose console log lives under DIR, and no other. A domain
# in the middle of a start (its agent stopped while libvirtd was starting it) refuses a destroy until the start is
# over: those still listed are tried again, up to 5 times, 2 s apart, and named if they outlive that.
destroy_run_domains() {
  local domain left="" try
  for try in 1 2 3 4 5; do
    for domain in $(run_domains "$1"); do
      virsh -c "$LIBVIRT_URI" destroy "$domain" >/dev/null 2>&1 || true
      virsh -c "$LIBVIRT_URI" undefine "$domain" >/dev/null 2>&1 || true
    done
    left="$(run_domains "$1" | tr '\n' ' ')"
    [ -z "$left" ] && return 0
    [ "$try" -lt 5 ] && sleep 2
  done
  say "could not destroy this run's guests: $left(virsh -c $LIBVIRT_URI list --all)"
}
