# shellcheck shell=bash
# Two front-end hosts behind one virtual address (./luban up --netns --ha): keepalived (VRRP) in each front-end
# host's namespace holds the address on one of them at a time, and gives it up when its own front door stops
# answering. nopreempt: a host that comes back stays a backup while the other serves (no flap).

# keepalived_conf HOST VIP: writes RUN_DIR/keepalived/HOST.conf.
keepalived_conf() {
  local host="$1" vip="$2" port="${PUBLIC_URL##*:}"
  mkdir -p "$RUN_DIR/keepalived"
  cat >"$RUN_DIR/keepalived/$host.conf" <<CONF
# Written by ./luban up --ha for this run.
global_defs {
  router_id luban-$host
  vrrp_version 3                    # half-second adverts (VRRPv3 counts in centiseconds)
  script_user root
  enable_script_security
  vrrp_garp_master_delay 0          # announce the address at once when taking it over
  vrrp_garp_master_refresh 1        # and keep announcing it every second
}

# The host's own front door must answer (it answers this path itself, without a VM): a hung or dead front door
# gives the address up within a second.
vrrp_script front_door {
  script "/usr/bin/curl -fsS --max-time 1 -o /dev/null http://127.0.0.1:$port/.luban/front-door"
  interval 1
  timeout 1
  fall 1
  rise 2
}

vrrp_instance luban {
  state BACKUP
  nopreempt
  interface eth0
  virtual_router_id 77
  priority 100
  advert_int 0.5                    # a lost master is seen after 3 adverts and the skew: about 1.6 s
  virtual_ipaddress {
    $vip/24 dev eth0
  }
  track_script {
    front_door
  }
}
CONF
}

# start_keepalived HOST NAMESPACE: keepalived for that host, in its namespace, recorded as RUN_DIR/keepalived-HOST.pid
# (its own PID files stay in RUN_DIR/keepalived/, apart from the run's).
start_keepalived() {
  local host="$1" ns="$2"
  START_NETNS="$ns" start_program "keepalived-$host" /usr/sbin/keepalived --dont-fork --log-console --log-detail \
    --use-file "$RUN_DIR/keepalived/$host.conf" --pid "$RUN_DIR/keepalived/$host.pid" \
    --vrrp_pid "$RUN_DIR/keepalived/$host.vrrp.pid" --checkers_pid "$RUN_DIR/keepalived/$host.checkers.pid"
}

# Which front-end host's namespace holds the virtual address now (empty when none).
vip_holder() {
  local host
  for host in "${FRONT_ENDS[@]}"; do
    ip -n "$(netns_var NETNS "$host")" -4 addr show dev eth0 2>/dev/null | grep -qF " $VIP/" && { echo "$host"; return 0; }
  done
  return 0
}
