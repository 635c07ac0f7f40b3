#!/usr/bin/env bash
# Starts/stops virtlogd and libvirtd without systemd, as VM-GUEST.md describes. PID files live in $LUBAN_RUN_DIR;
# processes are stopped by those PIDs only (checked against /proc/<pid>/comm), never by name.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<USAGE
Usage: scripts/vm/libvirtd.sh start|stop|status [--keep-guests] [--help]

  start    start virtlogd and 'tini -s -- libvirtd' in the background; wait until
           'virsh -c $LUBAN_LIBVIRT_URI list' answers (timeout \$LUBAN_LIBVIRTD_TIMEOUT, default 30 s).
           A no-op when they already run.
  stop     destroy running guests (unless --keep-guests), then stop libvirtd and virtlogd by PID.
  status   exit 0 when libvirtd answers, 3 when not running.

Files: \$LUBAN_RUN_DIR=$LUBAN_RUN_DIR  (libvirtd.conf, virtlogd.conf written by scripts/vm/install.sh;
       libvirtd.pid, tini.pid, virtlogd.pid, libvirtd.log, virtlogd.log, *.stdout)
USAGE
}

ACTION="${1:-}"
KEEP_GUESTS=0
shift || true
for arg in "$@"; do
    case "$arg" in
        --keep-guests) KEEP_GUESTS=1 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $arg" ;;
    esac
done

TIMEOUT="${LUBAN_LIBVIRTD_TIMEOUT:-30}"
VIRTLOGD_PID="$LUBAN_RUN_DIR/virtlogd.pid"
LIBVIRTD_PID="$LUBAN_RUN_DIR/libvirtd.pid"
TINI_PID="$LUBAN_RUN_DIR/tini.pid"

# Prints the PID from $1 when that process is alive and its command name is $2.
live_pid() {
    local file=$1 comm=$2 pid
    [[ -s $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -r /proc/$pid/comm && "$(</proc/"$pid"/comm)" == "$comm" ]] || return 1
    echo "$pid"
}

answers() { timeout 10 virsh -q -c "$LUBAN_LIBVIRT_URI" list --all >/dev/null 2>&1; }

stop_pid() {
    local what=$1 pid=$2 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || { log "$what (pid $pid) stopped"; return 0; }
        sleep 0.1
    done
    log "$what (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

start() {
    require_root
    [[ -f $LUBAN_RUN_DIR/libvirtd.conf && -f $LUBAN_RUN_DIR/virtlogd.conf ]] \
        || die "no configuration in $LUBAN_RUN_DIR: run scripts/vm/install.sh first"
    command -v libvirtd >/dev/null || [[ -x /usr/sbin/libvirtd ]] || die "libvirtd not installed: run scripts/vm/install.sh"
    export PATH="$PATH:/usr/sbin:/sbin"
    mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt/qemu

    local pid
    if pid=$(live_pid "$VIRTLOGD_PID" virtlogd); then
        log "virtlogd already running (pid $pid)"
    else
        log "starting virtlogd (log $LUBAN_RUN_DIR/virtlogd.log)"
        setsid virtlogd -f "$LUBAN_RUN_DIR/virtlogd.conf" -p "$VIRTLOGD_PID" \
            </dev/null >>"$LUBAN_RUN_DIR/virtlogd.stdout" 2>&1 &
    fi

    if pid=$(live_pid "$LIBVIRTD_PID" libvirtd); then
        log "libvirtd already running (pid $pid)"
    elif answers; then
        log "a libvirtd not started by this script already answers on $LUBAN_RUN_DIR's URI $LUBAN_LIBVIRT_URI; leaving it alone"
        return 0
    else
        log "starting libvirtd under tini (log $LUBAN_RUN_DIR/libvirtd.log; D-Bus/dmidecode//dev/mem noise there is harmless)"
        # tini as parent reaps libvirtd's short-lived children quickly; without it each guest start/stop is 1-2 s slower.
        setsid tini -s -- libvirtd -f "$LUBAN_RUN_DIR/libvirtd.conf" -p "$LIBVIRTD_PID" \
            </dev/null >>"$LUBAN_RUN_DIR/libvirtd.stdout" 2>&1 &
        echo $! >"$TINI_PID"
    fi

    local deadline=$((SECONDS + TIMEOUT))
    until answers; do
        if ((SECONDS >= deadline)); then
            log "libvirtd did not answer within ${TIMEOUT}s; last lines of its logs:"
            tail -n 20 "$LUBAN_RUN_DIR/libvirtd.stdout" "$LUBAN_RUN_DIR/libvirtd.log" >&2 2>/dev/null || true
            die "libvirtd start failed"
        fi
        if ! live_pid "$TINI_PID" tini >/dev/null && ! live_pid "$LIBVIRTD_PID" libvirtd >/dev/null; then
            log "libvirtd exited during start-up; last lines of its logs:"
            tail -n 20 "$LUBAN_RUN_DIR/libvirtd.stdout" "$LUBAN_RUN_DIR/libvirtd.log" >&2 2>/dev/null || true
            die "libvirtd start failed"
        fi
        sleep 0.2
    done
    live_pid "$VIRTLOGD_PID" virtlogd >/dev/null || die "virtlogd is not running; see $LUBAN_RUN_DIR/virtlogd.stdout"
    log "libvirtd answers on $LUBAN_LIBVIRT_URI (libvirtd pid $(live_pid "$LIBVIRTD_PID" libvirtd || echo '?'), virtlogd pid $(live_pid "$VIRTLOGD_PID" virtlogd))"
}

stop() {
    require_root
    local pid name
    if pid=$(live_pid "$LIBVIRTD_PID" libvirtd); then
        if [[ $KEEP_GUESTS -eq 0 ]]; then
            # A guest outlives libvirtd; destroy what runs so nothing is left behind (libvirt knows the QEMU PIDs).
            while read -r name; do
                [[ -n $name ]] || continue
                log "destroying running guest $name"
                virsh -q -c "$LUBAN_LIBVIRT_URI" destroy "$name" >/dev/null 2>&1 || log "could not destroy $name"
            done < <(timeout 10 virsh -q -c "$LUBAN_LIBVIRT_URI" list --name 2>/dev/null || true)
        fi
        stop_pid libvirtd "$pid"
    else
        log "libvirtd: not running (no live PID in $LIBVIRTD_PID)"
    fi
    # tini exits with its child; stop it too when it lingers.
    if pid=$(live_pid "$TINI_PID" tini); then stop_pid tini "$pid"; fi
    if pid=$(live_pid "$VIRTLOGD_PID" virtlogd); then
        stop_pid virtlogd "$pid"
    else
        log "virtlogd: not running (no live PID in $VIRTLOGD_PID)"
    fi
    rm -f "$TINI_PID"
}

status() {
    local pid rc=0
    if pid=$(live_pid "$VIRTLOGD_PID" virtlogd); then log "virtlogd running (pid $pid)"; else log "virtlogd not running"; rc=3; fi
    if pid=$(live_pid "$LIBVIRTD_PID" libvirtd); then log "libvirtd running (pid $pid)"; else log "libvirtd not running (by this script)"; rc=3; fi
    if answers; then
        log "$LUBAN_LIBVIRT_URI answers; running guests: $(virsh -q -c "$LUBAN_LIBVIRT_URI" list --name | grep -c . || true)"
        rc=0
    else
        log "$LUBAN_LIBVIRT_URI does not answer"
        rc=3
    fi
    return $rc
}

case "$ACTION" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    -h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac
