# shellcheck shell=bash
# ./luban up: PostgreSQL, libvirtd, the image, then the seed and two agents (on loopback, or with --netns in
# network namespaces of their own); waits until the cluster serves.

NETNS=0
HA=0
BUILD=1
BALANCE=""
# Suspended VMs each host keeps ready (luban.hypervisor.warm-pool-size); empty = the HOCON default (1).
WARM_POOL=""
BRIDGE_ADDR=""
VIP=""
# The front-end hosts (seed role): one, or two behind a virtual address with --ha.
FRONT_ENDS=(A)
# Where up reads the status while it waits: the admin URL, or with --ha host A1's own admin endpoint (the virtual
# address is taken only once the VMs serve).
STATUS_URL=""

members_up() {
  curl -fsS --max-time 2 "${STATUS_URL:-$ADMIN_URL}/api/status" 2>/dev/null \
    | jq '[.members[] | select(.status == "Up")] | length' 2>/dev/null || echo 0
}

vms_in_service() {
  curl -fsS --max-time 2 "${STATUS_URL:-$ADMIN_URL}/api/status" 2>/dev/null \
    | jq '[.hosts[]?.vms[]? | select(.state == "InService")] | length' 2>/dev/null || echo 0
}

# The name of a recorded process that has exited, if any.
exited_process() {
  local f
  for f in "$RUN_DIR"/*.pid; do
    [ -e "$f" ] || continue
    pid_alive "$(cat "$f")" || { basename "$f" .pid; return 0; }
  done
  return 0
}

wait_until_up() {
  local deadline=$((SECONDS + UP_TIMEOUT)) name
  while ((SECONDS < deadline)); do
    name="$(exited_process)"
    if [ -n "$name" ]; then
      say "$name exited during start-up; last lines of $RUN_DIR/$name.log:"
      tail -n 20 "$RUN_DIR/$name.log" >&2 || true
      stop_everything
      exit 1
    fi
    [ "$(members_up)" -ge $((${#FRONT_ENDS[@]} + ${#AGENTS[@]})) ] && return 0
    sleep 0.5
  done
  say "the cluster was not Up within ${UP_TIMEOUT}s; logs are in $RUN_DIR"
  stop_everything
  exit 1
}

# wait_for SECONDS WHAT CONDITION...: polls the command; on time-out says what did not happen and stops everything.
wait_for() {
  local seconds="$1" what="$2" deadline=$((SECONDS + $1))
  shift 2
  while ((SECONDS < deadline)); do
    "$@" && return 0
    sleep 1
  done
  say "gave up after $seconds s waiting for $what; logs are in $RUN_DIR"
  stop_everything
  exit 1
}

every_host_has_a_vm_in_service() { [ "$(vms_in_service)" -ge ${#AGENTS[@]} ]; }

# Every host's warm pool holds as many suspended VMs as it asks for.
warm_pools_full() {
  curl -fsS --max-time 2 "${STATUS_URL:-$ADMIN_URL}/api/status" 2>/dev/null \
    | jq -e '.hosts | length > 0 and all(.[]; ([.vms[]? | select(.state == "Warm" and .suspended)] | length) >= (.warmPoolSize // 0))' \
      >/dev/null 2>&1
}

warm_pools_line() {
  curl -fsS --max-time 2 "${STATUS_URL:-$ADMIN_URL}/api/status" 2>/dev/null \
    | jq -r '[.hosts[] | "\(.id) \([.vms[]? | select(.state == "Warm" and .suspended)] | length)/\(.warmPoolSize // 0)"] | join(", ")' 2>/dev/null
}

front_door_answers() { curl -fsS --max-time 2 -o /dev/null "$PUBLIC_URL/healthz"; }

# netns_var NAME HOST: a value from `netns.sh env` (ADDR_B, NETNS_B, EMULATOR_B, …).
netns_var() { grep "^$1_$2=" "$RUN_DIR/netns.env" | cut -d= -f2-; }

netns_script() { "$ROOT/scripts/netns/netns.sh" "$@"; }

# Makes the namespaces and points this run's addresses into them; recorded so `down` and the CLI find them. With
# --ha the public address is the virtual one the two front-end hosts share.
prepare_netns() {
  local hosts="a b c" a
  ensure_apt iproute2 iputils-ping util-linux
  if ((HA)); then hosts="a1 a2 b c"; fi
  netns_script up --hosts "$hosts"
  netns_script env --hosts "$hosts" >"$RUN_DIR/netns.env"
  touch "$RUN_DIR/netns.started"
  BRIDGE_ADDR="$(grep '^BRIDGE_ADDR=' "$RUN_DIR/netns.env" | cut -d= -f2)"
  VIP="$(grep '^VIP=' "$RUN_DIR/netns.env" | cut -d= -f2)"
  a="$(netns_var ADDR "${FRONT_ENDS[0]}")"
  STATUS_URL="http://$a:${ADMIN_URL##*:}"
  if ((HA)); then a="$VIP"; fi
  ADMIN_URL="http://$a:${ADMIN_URL##*:}"
  PUBLIC_URL="http://$a:${PUBLIC_URL##*:}"
}

# The VMs: records in our own PostgreSQL, libvirtd, the image; run-specific HOCON points the agents at them.
# With --netns each agent gets its own HOCON folder (RUN_DIR/hocon-<host>): its address, its emulator wrapper.
prepare_vms() {
  ensure_apt clang-14 zlib1g-dev postgresql openssh-client iproute2
  LUBAN_RUN_DIR="$LIBVIRT_DIR" "$ROOT/scripts/vm/install.sh" >/dev/null
  say "starting PostgreSQL for the shared records (port $PG_PORT) and libvirtd"
  if ((NETNS)); then
    start_postgres "$PG_DIR" "$PG_PORT" luban "$BRIDGE_ADDR" "${BRIDGE_ADDR%.*}.0/24"
  else
    start_postgres "$PG_DIR" "$PG_PORT" luban
  fi
  write_db_secret "$RUN_DIR/secrets/guest-db.conn" luban "$PG_DIR"
  start_libvirtd
  if ((STARTED_LIBVIRTD)); then touch "$RUN_DIR/libvirtd.started"; fi
  local web_bin="$ROOT/.luban/web/Luban.Web"
  if ((BUILD)); then
    say "publishing Luban.Web (NativeAOT) and building the VM image (cached)"
    web_bin="$(publish_web_aot)"
  fi
  [ -x "$web_bin" ] || die "$web_bin is missing: run without --no-build once"
  build_image "$web_bin"

  remove_tree "$RUN_DIR"/hocon*
  mkdir -p "$RUN_DIR/hocon" "$RUN_DIR/vm"
  cp "$ROOT"/hocon/*.hocon "$RUN_DIR/hocon/"
  if ((HA)); then ha_hocon >>"$RUN_DIR/hocon/common.hocon"; fi
  if [ -n "$BALANCE" ]; then
    printf '\n# Written by ./luban up --balance=%s\nluban.frontdoor.load-balancing = %s\n' "$BALANCE" "$BALANCE" \
      >>"$RUN_DIR/hocon/seed.hocon"
  fi
  local host dir
  for host in "${AGENTS[@]}"; do
    dir="$RUN_DIR/hocon"
    if ((NETNS)); then
      dir="$RUN_DIR/hocon-$host"
      mkdir -p "$dir" && cp "$RUN_DIR"/hocon/*.hocon "$dir/"
    fi
    {
      echo
      echo "# Written by ./luban up for this run."
      echo "luban.hypervisor {"
      echo "  image-dir = \"$ROOT/.luban/image\""
      # ./luban down destroys exactly the domains whose console log lives here.
      echo "  console-log-dir = \"$RUN_DIR/vm\""
      # A guest reaches nothing of the hosts but the records database: its database forward leads to PostgreSQL as
      # this host reaches it, and the connection string (password included) reaches it only through this file.
      echo "  database-secret-file = \"$RUN_DIR/secrets/guest-db.conn\""
      # The front door as users see it: share links, the Origin of forms, Secure cookies over https.
      echo "  public-url = \"$PUBLIC_URL\""
      if [ -n "$WARM_POOL" ]; then echo "  warm-pool-size = $WARM_POOL"; fi
      if ((NETNS)); then
        # The guests' ports are forwarded on this host's own address, in its namespace; the records database is
        # PostgreSQL in the root namespace, on the bridge.
        echo "  forward-address = \"$(netns_var ADDR "$host")\""
        echo "  emulator = \"$(netns_var EMULATOR "$host")\""
        echo "  database-target = \"$BRIDGE_ADDR:$PG_PORT\""
      else
        echo "  database-target = \"127.0.0.1:$PG_PORT\""
      fi
      echo "}"
    } >>"$dir/node.hocon"
    ((NETNS)) || break
  done
}

# The cluster's CA under RUN_DIR/certs (made once, kept), and this run's certificates from it: the seeds, agents B
# and C (each with the address it is reached at and forwards its VMs on), operator admin (acts) and viewer guest
# (reads). Private keys 0600.
prepare_certs() {
  local certs="$RUN_DIR/certs" host address
  luban_certs init --dir "$certs" --cluster luban >/dev/null
  for host in "${FRONT_ENDS[@]}" "${AGENTS[@]}"; do
    address=127.0.0.1
    if ((NETNS)); then address="$(netns_var ADDR "$host")"; fi
    if [[ " ${FRONT_ENDS[*]} " == *" $host "* ]]; then
      luban_certs issue --dir "$certs" --role seed --name "$host" --address "$address" >/dev/null
    else
      luban_certs issue --dir "$certs" --role agent --name "$host" --address "$address" >/dev/null
    fi
  done
  luban_certs issue --dir "$certs" --role operator --name admin >/dev/null
  luban_certs issue --dir "$certs" --role viewer --name guest >/dev/null
  say "certificates: CA $certs/ca.crt; seeds ${FRONT_ENDS[*]}, agents ${AGENTS[*]}, operator admin, viewer guest in $certs"
}

# The settings two front-end hosts need. A majority over all members decides a partition: with the majority of seeds
# alone, losing one of two seeds would leave a tie that the lowest address breaks, and the survivor would down itself
# whenever the lost host had the lower address. A lost host is then given up within seconds, so the supervisor moves
# to the other front-end host in about 12 s instead of Akka's ~45: unreachable after ~3.5 s (2 s heartbeat pause),
# downed 3 s later (stable-after), removed at the leader's next round, and the singleton started 2 s after that
# (down-removal-margin; Akka's default is stable-after). The margin may be that short because a front-end host cut off
# from the others downs itself after the same stable-after from its own, simultaneous, detection: its supervisor is
# gone before the other one starts.
ha_hocon() {
  cat <<'HOCON'

# Written by ./luban up --ha: two front-end hosts.
akka.cluster {
  split-brain-resolver {
    keep-majority.role = ""
    stable-after = 3s
  }
  down-removal-margin = 2s
  failure-detector {
    acceptable-heartbeat-pause = 2s
  }
}
HOCON
}

# keepalived on both front-end hosts, once their front doors stand (Up, with a rotation); A1 takes the virtual
# address first (nopreempt keeps it there).
start_front_end_pair() {
  ensure_apt keepalived
  local front
  for front in "${FRONT_ENDS[@]}"; do
    keepalived_conf "$front" "$VIP"
  done
  wait_for "$UP_TIMEOUT" "host ${FRONT_ENDS[0]}'s front door to answer" front_door_answers_on "${FRONT_ENDS[0]}"
  start_keepalived "${FRONT_ENDS[0]}" "$(netns_var NETNS "${FRONT_ENDS[0]}")"
  wait_for 30 "host ${FRONT_ENDS[0]} to take the virtual address $VIP" vip_held
  start_keepalived "${FRONT_ENDS[1]}" "$(netns_var NETNS "${FRONT_ENDS[1]}")"
  say "virtual address $VIP held by host $(vip_holder)"
}

vip_held() { [ -n "$(vip_holder)" ]; }
front_door_answers_on() { curl -fsS --max-time 2 -o /dev/null "http://$(netns_var ADDR "$1"):${PUBLIC_URL##*:}/.luban/front-door"; }

# luban certs ARGS...: the CLI's certificate verbs (no seed needed).
luban_certs() {
  dotnet "$ROOT/Luban.Cli/bin/$CONFIG/net10.0/Luban.Cli.dll" certs "$@"
}

start_cluster() {
  local bin="bin/$CONFIG/net10.0" seeds=() seed_host seed_ns seed_args=() front host name
  for front in "${FRONT_ENDS[@]}"; do
    seed_host=127.0.0.1
    if ((NETNS)); then seed_host="$(netns_var ADDR "$front")"; fi
    seeds+=("akka.ssl.tcp://luban@$seed_host:$SEED_PORT")
  done
  local seed_address="${seeds[0]}"
  prepare_certs
  # What the CLI and ./luban load use to find this cluster, and the operator certificate the CLI shows it.
  printf 'LUBAN_SEEDS=%s\nLUBAN_ADMIN_URL=%s\nLUBAN_PUBLIC_URL=%s\nLUBAN_CERT=%s\n' "$(IFS=,; echo "${seeds[*]}")" "$ADMIN_URL" \
    "$PUBLIC_URL" "$RUN_DIR/certs/operator-admin.crt" >"$RUN_DIR/cluster.env"
  for front in "${FRONT_ENDS[@]}"; do
    seed_ns="" seed_args=(--admin-url "$ADMIN_URL" --public-url "$PUBLIC_URL")
    if ((NETNS)); then
      seed_ns="$(netns_var NETNS "$front")"
      seed_args=(--bind "$(netns_var ADDR "$front")" --admin-url "$ADMIN_URL" --public-url "$PUBLIC_URL")
    fi
    if ((HA)); then
      # Both seeds know both; each serves on every address of its host (the virtual one when it holds it).
      seed_args=(--bind "$(netns_var ADDR "$front")" --admin-url "http://0.0.0.0:${ADMIN_URL##*:}"
        --public-url "http://0.0.0.0:${PUBLIC_URL##*:}" --virtual-address "$VIP")
      for host in "${seeds[@]}"; do seed_args+=(--seed "$host"); done
    fi
    name=seed
    if ((HA)); then name="seed-$front"; fi
    say "starting seed (host $front${seed_ns:+, namespace $seed_ns}), admin $ADMIN_URL, front door $PUBLIC_URL"
    START_NETNS="$seed_ns" start "$name" "$ROOT/Luban.Seed/$bin/Luban.Seed.dll" --host-id "$front" --port "$SEED_PORT" \
      "${seed_args[@]}" --hocon-dir "$RUN_DIR/hocon" --certs "$RUN_DIR/certs"
  done
  for host in "${AGENTS[@]}"; do
    if ((NETNS)); then
      say "starting agent (host $host, namespace $(netns_var NETNS "$host"), $(netns_var ADDR "$host"))"
      START_NETNS="$(netns_var NETNS "$host")" start "node-$host" "$ROOT/Luban.Node/$bin/Luban.Node.dll" \
        --host-id "$host" --bind "$(netns_var ADDR "$host")" --port 0 --seed "$seed_address" \
        --hocon-dir "$RUN_DIR/hocon-$host" --certs "$RUN_DIR/certs"
    else
      say "starting agent (host $host)"
      start "node-$host" "$ROOT/Luban.Node/$bin/Luban.Node.dll" --host-id "$host" --port 0 --seed "$seed_address" \
        --hocon-dir "$RUN_DIR/hocon" --certs "$RUN_DIR/certs"
    fi
  done
}

print_cluster() {
  say "cluster Up with $(vms_in_service) VMs in service"
  # Each VM on its own forwarded port, as the agents report it, asked directly for /healthz.
  local vm endpoint f
  while read -r vm endpoint; do
    if [ -z "$endpoint" ] || [ "$endpoint" = "null" ]; then continue; fi
    say "  $vm at $endpoint: /healthz $(curl -fsS --max-time 3 -o /dev/null -w '%{http_code}' "$endpoint/healthz" 2>/dev/null || echo 'no answer')"
  done < <(curl -fsS --max-time 2 "$ADMIN_URL/api/status" | jq -r '.hosts[].vms[] | "\(.id) \(.endpoint)"')
  say "front door: $PUBLIC_URL/   (the feng shui service, answered by the VMs in turn)"
  say "admin:      $ADMIN_URL/api/status"
  if ((HA)); then say "virtual address $VIP: held by host $(vip_holder); front-end hosts ${FRONT_ENDS[*]}"; fi
  for f in "$RUN_DIR"/*.pid; do say "  $(basename "$f" .pid): pid $(cat "$f")"; done
  say "logs: $RUN_DIR/*.log, guest consoles: $RUN_DIR/vm/"
}

# In the foreground: until Ctrl-C, or until a process of the run exits.
stay_in_foreground() {
  trap 'say "stopping"; stop_everything; exit 0' INT TERM
  say "running in the foreground; Ctrl-C stops the cluster"
  local name
  while :; do
    name="$(exited_process)"
    if [ -n "$name" ]; then
      say "$name exited unexpectedly; see $RUN_DIR/$name.log"
      stop_everything
      exit 1
    fi
    sleep 1 &
    wait $! || true
  done
}

cmd_up() {
  local detach=0 arg
  for arg in "$@"; do
    case "$arg" in
      --detach) detach=1 ;;
      --netns) NETNS=1 ;;
      --no-build) BUILD=0 ;;
      --balance=*) BALANCE="${arg#--balance=}" ;;
      --warm-pool=*) WARM_POOL="${arg#--warm-pool=}" ;;
      --ha) HA=1 ;;
      --help|-h) usage; exit 0 ;;
      *) die "up: unknown option '$arg' (see ./luban --help)" ;;
    esac
  done
  if ((HA)); then
    ((NETNS)) || die "up: --ha needs --netns (two front-end hosts, each in a namespace of its own)"
    FRONT_ENDS=(A1 A2)
  fi
  case "$BALANCE" in
    ""|round-robin|least-requests) ;;
    *) die "up: --balance=$BALANCE: allowed: round-robin (the paper's, the default) or least-requests" ;;
  esac
  [[ -z "$WARM_POOL" || "$WARM_POOL" =~ ^[0-9]+$ ]] || die "up: --warm-pool=$WARM_POOL: allowed: a whole number, 0 turns the pool off"
  mkdir -p "$RUN_DIR"
  local running
  running="$(running_pids)"
  [ -z "$running" ] || die "a cluster is already running here (pids ${running//$'\n'/ }); ./luban down first"
  rm -f "$RUN_DIR"/*.pid "$RUN_DIR"/*.cmdline "$RUN_DIR/libvirtd.started" "$RUN_DIR/cluster.env"

  ensure_runtime_deps
  if ((BUILD)); then build_runtime; fi
  if ((NETNS)); then prepare_netns; fi
  prepare_vms
  start_cluster

  wait_until_up
  say "cluster Up: ${#FRONT_ENDS[@]} seed(s) + ${#AGENTS[@]} agents; waiting for one VM per host to boot and pass its health check"
  wait_for "$UP_TIMEOUT" "every host's first VM in service" every_host_has_a_vm_in_service
  # A front door stands for the virtual address once it has a rotation, i.e. once there are VMs to serve.
  if ((HA)); then start_front_end_pair; fi
  STATUS_URL=""
  wait_for 60 "the front door to answer" front_door_answers
  # The pools fill in the background, one boot at a time while the load is calm; up returns once they are full.
  say "waiting for the warm pools to fill (booted once, then suspended)"
  wait_for "$UP_TIMEOUT" "every host's warm pool full" warm_pools_full
  say "warm pools: $(warm_pools_line)"
  print_cluster

  if ((detach)); then
    say "detached; stop with ./luban down"
    return 0
  fi
  stay_in_foreground
}
