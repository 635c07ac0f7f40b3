# shellcheck shell=bash
# ./luban down (and a failed or interrupted ./luban up): only what this run started, by what it recorded in RUN_DIR.

# The processes (the seeds first: a supervisor that saw agents leave would start VMs elsewhere to keep its minimum),
# then the VMs they ran, then the daemons this run started. VMs are this run's when their console log lives under
# RUN_DIR/vm; libvirtd only when this run started it.
stop_everything() {
  local f name
  # The seeds (and keepalived with --ha) first, then the agents.
  for f in "$RUN_DIR"/seed*.pid "$RUN_DIR"/*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"
    stop_recorded "$name"
  done
  destroy_run_domains "$RUN_DIR/vm"
  if [ -e "$RUN_DIR/libvirtd.started" ]; then
    libvirtd_script stop || true
    rm -f "$RUN_DIR/libvirtd.started"
  fi
  stop_postgres "$PG_DIR"
  if [ -e "$RUN_DIR/netns.started" ]; then
    # The names this run made, whatever LUBAN_NETNS_* say now.
    local prefix subnet hosts
    prefix="$(grep '^PREFIX=' "$RUN_DIR/netns.env" 2>/dev/null | cut -d= -f2)"
    subnet="$(grep '^SUBNET=' "$RUN_DIR/netns.env" 2>/dev/null | cut -d= -f2)"
    hosts="$(grep '^HOSTS=' "$RUN_DIR/netns.env" 2>/dev/null | cut -d= -f2 | tr -d '"')"
    netns_script down ${prefix:+--prefix "$prefix"} ${subnet:+--subnet "$subnet"} ${hosts:+--hosts "$hosts"} || true
    rm -f "$RUN_DIR/netns.started" "$RUN_DIR/netns.env"
  fi
  rm -f "$RUN_DIR/cluster.env"
}

cmd_down() {
  [ "${1:-}" = "--help" ] && { usage; exit 0; }
  if [ -z "$(recorded_pids)" ] && [ ! -s "$PG_DIR/data/postmaster.pid" ] && [ ! -e "$RUN_DIR/netns.started" ]; then
    say "nothing is running (no PID files in $RUN_DIR)"
    return 0
  fi
  say "stopping the cluster, its VMs and its services"
  stop_everything
  say "stopped"
}
