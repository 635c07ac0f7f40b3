#!/usr/bin/env bash
# Starts/stops virtlogd and libvirtd without systemd, as VM-GUEST.md describes. PID files live in $LUBAN_RUN_DIR,
# each beside the command line it was started with (<name>.cmdline); a process is signalled only by that PID and
# only while /proc/<pid>/cmdline still shows that command, never by name. Guests are never destroyed here.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<USAGE
Usage: scripts/vm/libvirtd.sh start|stop|status [--help]

  start    start virtlogd and 'tini -s -- libvirtd' in the background; wait until
           'virsh -c $LUBAN_LIBVIRT_URI list' answers (timeout \$LUBAN_LIBVIRTD_TIMEOUT, default 30 s).
           A no-op when they already run.
  stop     stop libvirtd and virtlogd by the PIDs 'start' recorded (checked against the command lines it
           recorded). Guests are left alone: whoever defined one destroys it. Guests still running are named;
           they keep running, and a libvirtd started later finds them again.
  status   exit 0 when libvirtd answers, 3 when not running.

Files: \$LUBAN_RUN_DIR=$LUBAN_RUN_DIR  (libvirtd.conf, virtlogd.conf written by scripts/vm/install.sh;
       libvirtd.pid, tini.pid, virtlogd.pid with their *.cmdline, libvirtd.log, virtlogd.log, *.stdout)
USAGE
}

ACTION="${1:-}"
shift || true
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $arg" ;;
    esac
done

TIMEOUT="${LUBAN_LIBVIRTD_TIMEOUT:-30}"
VIRTLOGD_PID="$LUBAN_RUN_DIR/virtlogd.pid"
LIBVIRTD_PID="$LUBAN_RUN_DIR/libvirtd.pid"
TINI_PID="$LUBAN_RUN_DIR/tini.pid"

# Prints the PID from $1 (a .pid file) when that process is alive and runs the command line recorded beside it
# (the .cmdline file with the same name).
live_pid() {
    local file=$1 pid
    [[ -s $file && -s ${file%.pid}.cmdline ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    # Read, not stat'ed: /proc files have size 0, which `cmp -s` takes as a difference.
    [[ "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" == "$(tr '\0' '\n' <"${file%.pid}.cmdline")" ]] || return 1
    echo "$pid"
}

# record_cmdline PIDFILE COMMAND...: what /proc/<pid>/cmdline of that process will show, beside its PID file.
record_cmdline() {
    local file=$1
    shift
    printf '%s\0' "$@" >"${file%.pid}.cmdline"
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
    if pid=$(live_pid "$VIRTLOGD_PID"); then
        log "virtlogd already running (pid $pid)"
    else
        log "starting virtlogd (log $LUBAN_RUN_DIR/virtlogd.log)"
        local virtlogd=(virtlogd -f "$LUBAN_RUN_DIR/virtlogd.conf" -p "$VIRTLOGD_PID")
        record_cmdline "$VIRTLOGD_PID" "${virtlogd[@]}"
        setsid "${virtlogd[@]}" </dev/null >>"$LUBAN_RUN_DIR/virtlogd.stdout" 2>&1 &
    fi

    if pid=$(live_pid "$LIBVIRTD_PID"); then
        log "libvirtd already running (pid $pid)"
    elif answers; then
        log "a libvirtd not started by this script already answers on $LUBAN_RUN_DIR's URI $LUBAN_LIBVIRT_URI; leaving it alone"
        return 0
    else
        log "starting libvirtd under tini (log $LUBAN_RUN_DIR/libvirtd.log; D-Bus/dmidecode//dev/mem noise there is harmless)"
        # tini as parent reaps libvirtd's short-lived children quickly; without it each guest start/stop is 1-2 s slower.
        local libvirtd=(libvirtd -f "$LUBAN_RUN_DIR/libvirtd.conf" -p "$LIBVIRTD_PID")
        record_cmdline "$LIBVIRTD_PID" "${libvirtd[@]}"
        record_cmdline "$TINI_PID" tini -s -- "${libvirtd[@]}"
        setsid tini -s -- "${libvirtd[@]}" </dev/null >>"$LUBAN_RUN_DIR/libvirtd.stdout" 2>&1 &
        echo $! >"$TINI_PID"
    fi

    local deadline=$((SECONDS + TIMEOUT))
    until answers; do
        if ((SECONDS >= deadline)); then
            log "libvirtd did not answer within ${TIMEOUT}s; last lines of its logs:"
            tail -n 20 "$LUBAN_RUN_DIR/libvirtd.stdout" "$LUBAN_RUN_DIR/libvirtd.log" >&2 2>/dev/null || true
            die "libvirtd start failed"
        fi
        # Alive at all (tini may not have exec'd yet, so not by command line).
        if ! kill -0 "$(cat "$TINI_PID" 2>/dev/null)" 2>/dev/null && ! live_pid "$LIBVIRTD_PID" >/dev/null; then
            log "libvirtd exited during start-up; last lines of its logs:"
            tail -n 20 "$LUBAN_RUN_DIR/libvirtd.stdout" "$LUBAN_RUN_DIR/libvirtd.log" >&2 2>/dev/null || true
            die "libvirtd start failed"
        fi
        sleep 0.2
    done
    live_pid "$VIRTLOGD_PID" >/dev/null || die "virtlogd is not running; see $LUBAN_RUN_DIR/virtlogd.stdout"
    log "libvirtd answers on $LUBAN_LIBVIRT_URI (libvirtd pid $(live_pid "$LIBVIRTD_PID" || echo '?'), virtlogd pid $(live_pid "$VIRTLOGD_PID"))"
}

stop() {
    require_root
    local pid guests
    if pid=$(live_pid "$LIBVIRTD_PID"); then
        # Guests are not ours to destroy: each run destroys the domains it defined. Name what still runs.
        guests=$(timeout 10 virsh -q -c "$LUBAN_LIBVIRT_URI" list --name 2>/dev/null | grep . | paste -sd' ' || true)
        [[ -z $guests ]] || log "guests still running, left alone (libvirtd finds them again when it starts): $guests"
        stop_pid libvirtd "$pid"
    else
        log "libvirtd: not running (no live PID in $LIBVIRTD_PID)"
    fi
    # tini exits with its child; stop it too when it lingers.
    if pid=$(live_pid "$TINI_PID"); then stop_pid tini "$pid"; fi
    if pid=$(live_pid "$VIRTLOGD_PID"); then
        stop_pid virtlogd "$pid"
    else
        log "virtlogd: not running (no live PID in $VIRTLOGD_PID)"
    fi
    rm -f "$TINI_PID" "${TINI_PID%.pid}.cmdline"
}

status() {
    local pid rc=0
    if pid=$(live_pid "$VIRTLOGD_PID"); then log "virtlogd running (pid $pid)"; else log "virtlogd not running"; rc=3; fi
    if pid=$(live_pid "$LIBVIRTD_PID"); then log "libvirtd running (pid $pid)"; else log "libvirtd not running (by this script)"; rc=3; fi
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
