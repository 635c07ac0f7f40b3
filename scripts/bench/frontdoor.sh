#!/usr/bin/env bash
# Front door benchmark (issue 6): wrk against two Luban.Web backends directly, through the Luban front door (YARP in
# Luban.Seed), Apache mod_proxy_balancer, HAProxy and nginx, in rotation. Everything runs on loopback and is stopped
# by PID on exit, Ctrl-C or failure. `scripts/bench/frontdoor.sh --help` explains the options.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=3
DURATION=10
WARMUP=3
PRIME=10
# The front door is a .NET process: tiered compilation with dynamic PGO keeps recompiling its hot path for the first
# 30-60 s of load on a saturated 2-core machine (the JIT thread measured 15-24% of its CPU at 15 s, ~5% at 30 s).
# A long-running proxy is judged in steady state; the native proxies have nothing to warm up.
FRONTDOOR_PRIME=60
SEED_ENV=""
SEED_DLL=""
CONNECTIONS="64 256"
THREADS=2
INSTALL=1
BUILD=1
KEEP=0
BACKEND=dll
TARGETS="direct frontdoor apache haproxy nginx"
URL_PATH='/api/ruler?cm=100&profile=LUBAN_42_9'
RUN_DIR=""

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<USAGE
usage: scripts/bench/frontdoor.sh [options]        (wired as ./luban bench frontdoor)

Starts two Luban.Web backends on loopback, the Luban front door (Luban.Seed --backend x2), Apache (mpm_event,
mod_proxy_balancer, byrequests), HAProxy (roundrobin, http-reuse always) and nginx (upstream keepalive) in front of
the same two backends, and runs wrk against each in rotation: every round visits every target at every concurrency,
with a warm-up before each measured run. Prints median req/s, median p99, proxy CPU per request and each target as a
ratio of direct; the last line is
  frontdoor/direct=<r> apache/direct=<r> haproxy/direct=<r> nginx/direct=<r>
taken at the highest concurrency given (256 by default).

"direct" is the two backends without a proxy: two wrk processes, each with half the connections and one thread, one
per backend, at once; req/s is their sum and p99 the larger of the two.

options:
  --rounds N          rounds over all targets                         ($ROUNDS)
  --duration S        seconds of each measured wrk run                ($DURATION)
  --warmup S          seconds of warm-up before each measured run     ($WARMUP)
  --prime S           seconds of load on every target once before round 1, so JIT tiering
                      and connection pools settle before anything is measured ($PRIME)
  --frontdoor-prime S the front door's own prime: its JIT reaches steady state only after
                      30-60 s of load here ($FRONTDOOR_PRIME)
  --connections "C.." wrk connections, one run per value              ("$CONNECTIONS")
  --threads N         wrk threads for proxied targets                 ($THREADS)
  --targets "T.."     subset of: direct frontdoor apache haproxy nginx (all)
  --frontdoor-env "K=V.."  extra environment for the Luban seed only (experiments, e.g. DOTNET_gcServer=0)
  --seed-dll PATH     measure this Luban.Seed.dll (e.g. a copy of another build) instead of the Release build
  --aot               backends from the NativeAOT binary .luban/web/Luban.Web (published by ./luban test)
                      instead of the Release Luban.Web.dll
  --no-install        do not install missing Debian packages (apache2 haproxy nginx wrk)
  --no-build          measure the Release binaries as they are, even when sources are newer
  --run-dir DIR       configs, PID files, logs and raw results   (<repo>/.scratch/bench/frontdoor-<time>)
  --keep              keep the run directory (kept anyway on failure)
  --help              this text

Load only on 127.0.0.1; installs with apt-get --no-install-recommends (idempotent); never touches system service
configuration: each server runs in the foreground from its own config file under the run directory.
USAGE
}

while (($#)); do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --prime) PRIME="$2"; shift 2 ;;
    --frontdoor-prime) FRONTDOOR_PRIME="$2"; shift 2 ;;
    --frontdoor-env) SEED_ENV="$2"; shift 2 ;;
    --seed-dll) SEED_DLL="$(realpath "$2")"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --targets) TARGETS="$2"; shift 2 ;;
    --aot) BACKEND=aot; shift ;;
    --no-install) INSTALL=0; shift ;;
    --no-build) BUILD=0; shift ;;
    --run-dir) RUN_DIR="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
for n in "$ROUNDS" "$DURATION" "$WARMUP" "$PRIME" "$FRONTDOOR_PRIME" "$THREADS" $CONNECTIONS; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
((ROUNDS >= 1 && DURATION >= 1 && THREADS >= 1)) || die "--rounds, --duration and --threads must be at least 1"
for t in $TARGETS; do
  case "$t" in direct|frontdoor|apache|haproxy|nginx) ;; *) die "unknown target: $t" ;; esac
done

RUN_DIR="${RUN_DIR:-$ROOT/.scratch/bench/frontdoor-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"
RESULTS="$RUN_DIR/results.tsv"
: >"$RESULTS"

# --- processes: every PID we start is recorded and stopped on exit ------------------------------------------
PIDS=()
WRK_PIDS=()
FAILED=1

stop_all() {
  local pid i
  for pid in "${WRK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Reverse start order: proxies before the backends they use.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  PIDS=()
}

# Deletes the run directory only when it is one this script filled (it holds results.tsv) and not near /.
remove_run_dir() {
  local dir
  dir="$(realpath -m -- "$RUN_DIR")"
  if [[ "$dir" == /?*/?* && -f "$dir/results.tsv" ]]; then
    rm -rf -- "$dir"
  else
    say "kept $RUN_DIR (not a run directory this script made)"
  fi
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if ((FAILED)); then say "failed (exit $rc); logs and configs kept in $RUN_DIR"
  elif ((!KEEP)); then remove_run_dir
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME COMMAND... : runs COMMAND in the background, logs to RUN_DIR/NAME.log, records its PID in PID[NAME].
declare -A PID=()
start() {
  local name="$1"; shift
  "$@" >"$RUN_DIR/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  echo "$pid" >"$RUN_DIR/$name.pid"
  PID[$name]=$pid
}

# free_port: a loopback port nobody listens on and this run has not handed out yet, in FREE_PORT. Apache, HAProxy
# and nginx take their port from a config file, not 0; the bind itself is the final check: a clash fails start-up
# loudly.
USED_PORTS=" "
FREE_PORT=""
free_port() {
  local p
  while :; do
    # Below the ephemeral range (32768+), where outgoing connections take their local ports.
    p=$((20000 + RANDOM % 12000))
    [[ "$USED_PORTS" == *" $p "* ]] && continue
    ss -ltnH "sport = :$p" | grep -q . && continue
    USED_PORTS+="$p "
    FREE_PORT="$p"
    return
  done
}

wait_http() {
  local url="$1" what="$2" pid="$3"
  for _ in $(seq 300); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || die "$what exited; see $RUN_DIR"
    sleep 0.1
  done
  die "$what did not answer $url within 30 s; see $RUN_DIR"
}

# --- prerequisites ---------------------------------------------------------------------------------------------
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  ((INSTALL)) || die "missing Debian packages: ${missing[*]} (drop --no-install, or apt-get install them)"
  [ "$(id -u)" -eq 0 ] || die "missing packages ${missing[*]}: run as root or install them with apt-get"
  say "installing ${missing[*]}"
  apt-get update -qq
  # Debian's policy-rc.d (or no init) keeps the packages' own services from starting; we never start them.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds PROJECT in Release when any of its (or its references') sources is newer than DLL.
build_if_needed() {
  local project="$1" dll="$2"; shift 2
  if [ -f "$dll" ] && [ -z "$(find "$@" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.hocon' \) \
        -newer "$dll" -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
    return 0
  fi
  [ -f "$dll" ] || ((BUILD)) || die "$dll is missing (drop --no-build)"
  if ((!BUILD)); then say "warning: $dll is older than its sources (--no-build: measuring it anyway)"; return 0; fi
  say "building $project (Release)"
  flock /tmp/luban-build.lock dotnet build "$ROOT/$project" -c Release -nologo -v q -clp:ErrorsOnly >"$RUN_DIR/build.log" 2>&1 \
    || { cat "$RUN_DIR/build.log" >&2; die "build of $project failed"; }
}

needed=(wrk curl procps)
for t in $TARGETS; do
  case "$t" in apache) needed+=(apache2) ;; haproxy) needed+=(haproxy) ;; nginx) needed+=(nginx) ;; esac
done
ensure_apt "${needed[@]}"
command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet on PATH)"

WEB_DLL="$ROOT/Luban.Web/bin/Release/net10.0/Luban.Web.dll"
if [ -z "$SEED_DLL" ]; then
  SEED_DLL="$ROOT/Luban.Seed/bin/Release/net10.0/Luban.Seed.dll"
  build_if_needed Luban.Seed/Luban.Seed.csproj "$SEED_DLL" "$ROOT/Luban.Seed" "$ROOT/Luban.Actors" "$ROOT/hocon" \
    "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props"
fi
[ -f "$SEED_DLL" ] || die "no Luban.Seed.dll at $SEED_DLL"
if [ "$BACKEND" = aot ]; then
  [ -x "$ROOT/.luban/web/Luban.Web" ] || die "no NativeAOT Luban.Web at .luban/web (run ./luban test, or drop --aot)"
  web_cmd=("$ROOT/.luban/web/Luban.Web")
else
  build_if_needed Luban.Web/Luban.Web.csproj "$WEB_DLL" "$ROOT/Luban.Web" "$ROOT/Luban.FengShui" \
    "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props"
  web_cmd=(dotnet "$WEB_DLL")
fi

# --- backends ----------------------------------------------------------------------------------------------------
free_port; B1=$FREE_PORT
free_port; B2=$FREE_PORT
start web-1 "${web_cmd[@]}" --urls "http://127.0.0.1:$B1" --instance web-1 --connection-string "Data Source=$RUN_DIR/web-1.db"
start web-2 "${web_cmd[@]}" --urls "http://127.0.0.1:$B2" --instance web-2 --connection-string "Data Source=$RUN_DIR/web-2.db"
wait_http "http://127.0.0.1:$B1/readyz" "backend web-1" "${PID[web-1]}"
wait_http "http://127.0.0.1:$B2/readyz" "backend web-2" "${PID[web-2]}"
curl -fsS -o /dev/null "http://127.0.0.1:$B1$URL_PATH" || die "backend does not answer $URL_PATH"

declare -A PORT=()

want() { [[ " $TARGETS " == *" $1 "* ]]; }

# --- Luban front door ----------------------------------------------------------------------------------------------
if want frontdoor; then
  free_port; PORT[frontdoor]=$FREE_PORT
  free_port; admin=$FREE_PORT
  # The seed's certificate from a CA of this run's own (every cluster connection is TLS), and the per-client limits
  # off: wrk is one client on one address, and the proxies it is compared with have none configured.
  cli_dll="$ROOT/Luban.Cli/bin/Release/net10.0/Luban.Cli.dll"
  build_if_needed Luban.Cli/Luban.Cli.csproj "$cli_dll" "$ROOT/Luban.Cli" "$ROOT/Luban.Protocol"
  dotnet "$cli_dll" certs init --dir "$RUN_DIR/certs" >/dev/null
  dotnet "$cli_dll" certs issue --dir "$RUN_DIR/certs" --role seed --name A --address 127.0.0.1 >/dev/null
  mkdir -p "$RUN_DIR/hocon"
  cp "$ROOT"/hocon/*.hocon "$RUN_DIR/hocon/"
  printf '\nluban.frontdoor { client-concurrency-limit = 0, client-rate-limit = 0 }\n' >>"$RUN_DIR/hocon/seed.hocon"
  # shellcheck disable=SC2086 # SEED_ENV is a list of K=V words.
  start frontdoor env $SEED_ENV dotnet "$SEED_DLL" --port 0 --admin-url "http://127.0.0.1:$admin" \
    --public-url "http://127.0.0.1:${PORT[frontdoor]}" --backend "http://127.0.0.1:$B1" --backend "http://127.0.0.1:$B2" \
    --certs "$RUN_DIR/certs" --hocon-dir "$RUN_DIR/hocon"
  wait_http "http://127.0.0.1:${PORT[frontdoor]}$URL_PATH" "Luban front door" "${PID[frontdoor]}"
fi

# --- Apache: mpm_event, mod_proxy_balancer byrequests, pooled keep-alive connections to the backends ----------------
if want apache; then
  free_port; PORT[apache]=$FREE_PORT
  mods=/usr/lib/apache2/modules
  mkdir -p "$RUN_DIR/apache"
  cat >"$RUN_DIR/apache.conf" <<CONF
ServerRoot "$RUN_DIR/apache"
ServerName 127.0.0.1
PidFile "$RUN_DIR/apache.pid.own"
DefaultRuntimeDir "$RUN_DIR/apache"
Mutex file:$RUN_DIR/apache
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule slotmem_shm_module $mods/mod_slotmem_shm.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
LoadModule proxy_balancer_module $mods/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module $mods/mod_lbmethod_byrequests.so
User www-data
Group www-data
Listen 127.0.0.1:${PORT[apache]}
ErrorLog "$RUN_DIR/apache-error.log"
LogLevel warn
# Threads for every client connection up front, so no process is spawned or reaped during a run.
ServerLimit 4
StartServers 4
ThreadsPerChild 128
ThreadLimit 128
MaxRequestWorkers 512
MinSpareThreads 512
MaxSpareThreads 512
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
ProxyRequests Off
<Proxy "balancer://luban">
  BalancerMember "http://127.0.0.1:$B1" max=128 ttl=60
  BalancerMember "http://127.0.0.1:$B2" max=128 ttl=60
  ProxySet lbmethod=byrequests
</Proxy>
ProxyPass "/" "balancer://luban/"
ProxyPassReverse "/" "balancer://luban/"
CONF
  apache2 -t -f "$RUN_DIR/apache.conf" >"$RUN_DIR/apache-check.log" 2>&1 || { cat "$RUN_DIR/apache-check.log" >&2; die "apache config rejected"; }
  start apache apache2 -f "$RUN_DIR/apache.conf" -D FOREGROUND
  wait_http "http://127.0.0.1:${PORT[apache]}$URL_PATH" "Apache" "${PID[apache]}"
fi

# --- HAProxy: roundrobin, connection reuse and keep-alive to the servers, one thread per core ---------------------
if want haproxy; then
  free_port; PORT[haproxy]=$FREE_PORT
  cat >"$RUN_DIR/haproxy.cfg" <<CONF
global
  nbthread $(nproc)
  maxconn 4096
  pidfile $RUN_DIR/haproxy.pid.own
defaults
  mode http
  option http-keep-alive
  option forwardfor
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend public
  bind 127.0.0.1:${PORT[haproxy]}
  default_backend luban
backend luban
  balance roundrobin
  server web-1 127.0.0.1:$B1 maxconn 1024
  server web-2 127.0.0.1:$B2 maxconn 1024
CONF
  haproxy -c -q -f "$RUN_DIR/haproxy.cfg" || die "haproxy config rejected"
  start haproxy haproxy -db -f "$RUN_DIR/haproxy.cfg"
  wait_http "http://127.0.0.1:${PORT[haproxy]}$URL_PATH" "HAProxy" "${PID[haproxy]}"
fi

# --- nginx: one worker per core, upstream keepalive over HTTP/1.1 ---------------------------------------------------
if want nginx; then
  free_port; PORT[nginx]=$FREE_PORT
  mkdir -p "$RUN_DIR/nginx"
  cat >"$RUN_DIR/nginx.conf" <<CONF
worker_processes auto;
pid $RUN_DIR/nginx.pid.own;
error_log $RUN_DIR/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $RUN_DIR/nginx/body;
  proxy_temp_path $RUN_DIR/nginx/proxy;
  fastcgi_temp_path $RUN_DIR/nginx/fastcgi;
  uwsgi_temp_path $RUN_DIR/nginx/uwsgi;
  scgi_temp_path $RUN_DIR/nginx/scgi;
  keepalive_timeout 60s;
  keepalive_requests 1000000;
  upstream luban {
    server 127.0.0.1:$B1;
    server 127.0.0.1:$B2;
    keepalive 512;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${PORT[nginx]};
    location / {
      proxy_pass http://luban;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF
  nginx -t -q -e "$RUN_DIR/nginx-error.log" -c "$RUN_DIR/nginx.conf" || die "nginx config rejected"
  start nginx nginx -e "$RUN_DIR/nginx-error.log" -c "$RUN_DIR/nginx.conf" -g 'daemon off;'
  wait_http "http://127.0.0.1:${PORT[nginx]}$URL_PATH" "nginx" "${PID[nginx]}"
fi

# --- measurement -----------------------------------------------------------------------------------------------------
# CPU ticks (user+system) of PID and all its descendants, plus what its reaped children used.
cpu_ticks() {
  local root="$1" total=0 pid stat rest f=()
  local pids=("$root")
  mapfile -t -O 1 pids < <(ps -o pid= --ppid "$root" 2>/dev/null | tr -d ' ')
  for pid in "${pids[@]}"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    # After the ") ": field 3 (state) is f[0], so utime (14) is f[11], stime f[12], cutime f[13], cstime f[14].
    total=$((total + f[11] + f[12]))
    [ "$pid" = "$root" ] && total=$((total + f[13] + f[14]))
  done
  echo "$total"
}

cpu_of_target() {
  case "$1" in
    direct) echo $(($(cpu_ticks "${PID[web-1]}") + $(cpu_ticks "${PID[web-2]}"))) ;;
    *) cpu_ticks "${PID[$1]}" ;;
  esac
}

# Milliseconds from a wrk latency such as 812.00us, 3.41ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

# wrk_run OUT CONNECTIONS THREADS SECONDS URL : runs wrk in the background so Ctrl-C can stop it by PID.
wrk_run() {
  local out="$1" c="$2" t="$3" d="$4" url="$5"
  wrk -t"$t" -c"$c" -d"${d}s" --timeout 10s --latency "$url" >"$out" 2>&1 &
  WRK_PIDS+=($!)
}

wrk_wait() {
  local pid rc=0
  for pid in "${WRK_PIDS[@]}"; do wait "$pid" || rc=$?; done
  WRK_PIDS=()
  return "$rc"
}

# "req/s p99_ms requests errors" from a wrk output file.
wrk_parse() {
  local file="$1" rps p99 reqs errs
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$file")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$file")")
  reqs=$(awk '/requests in/ { print $1 }' "$file")
  errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$file")
  if [ -z "$rps" ] || [ -z "$reqs" ]; then die "wrk produced no result; see $file"; fi
  echo "$rps $p99 $reqs $errs"
}

# measure TARGET CONNECTIONS ROUND : warm-up, then a measured run; appends a line to RESULTS.
measure() {
  local target="$1" c="$2" round="$3"
  local base="$RUN_DIR/wrk-$target-c$c-r$round" before after rps p99 reqs errs
  if [ "$target" = direct ]; then
    local half=$((c / 2)) r1 r2
    if ((WARMUP > 0)); then
      wrk_run /dev/null "$half" 1 "$WARMUP" "http://127.0.0.1:$B1$URL_PATH"
      wrk_run /dev/null "$((c - half))" 1 "$WARMUP" "http://127.0.0.1:$B2$URL_PATH"
      wrk_wait
    fi
    before=$(cpu_of_target direct)
    wrk_run "$base-1.txt" "$half" 1 "$DURATION" "http://127.0.0.1:$B1$URL_PATH"
    wrk_run "$base-2.txt" "$((c - half))" 1 "$DURATION" "http://127.0.0.1:$B2$URL_PATH"
    wrk_wait || die "wrk failed; see $base-*.txt"
    after=$(cpu_of_target direct)
    local out1 out2
    out1=$(wrk_parse "$base-1.txt") || exit 1
    out2=$(wrk_parse "$base-2.txt") || exit 1
    read -r r1 p1 q1 e1 <<<"$out1"
    read -r r2 p2 q2 e2 <<<"$out2"
    rps=$(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.2f", a + b }')
    p99=$(awk -v a="$p1" -v b="$p2" 'BEGIN { print (a > b ? a : b) }')
    reqs=$((q1 + q2)); errs=$((e1 + e2))
  else
    local url="http://127.0.0.1:${PORT[$target]}$URL_PATH"
    if ((WARMUP > 0)); then wrk_run /dev/null "$c" "$THREADS" "$WARMUP" "$url"; wrk_wait; fi
    before=$(cpu_of_target "$target")
    wrk_run "$base.txt" "$c" "$THREADS" "$DURATION" "$url"
    wrk_wait || die "wrk failed; see $base.txt"
    after=$(cpu_of_target "$target")
    local out
    out=$(wrk_parse "$base.txt") || exit 1
    read -r rps p99 reqs errs <<<"$out"
  fi
  local us_per_req
  us_per_req=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" 'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$c" "$target" "$rps" "$p99" "$us_per_req" "$errs" >>"$RESULTS"
  say "round $round c=$c $target: $rps req/s, p99 $p99 ms, $us_per_req us CPU/req, errors $errs"
}

if ((PRIME > 0 || FRONTDOOR_PRIME > 0)); then
  say "priming every target for $PRIME s (the front door for $FRONTDOOR_PRIME s)"
  for target in $TARGETS; do
    seconds="$PRIME"
    [ "$target" = frontdoor ] && seconds="$FRONTDOOR_PRIME"
    ((seconds > 0)) || continue
    if [ "$target" = direct ]; then
      wrk_run /dev/null 64 1 "$seconds" "http://127.0.0.1:$B1$URL_PATH"
      wrk_run /dev/null 64 1 "$seconds" "http://127.0.0.1:$B2$URL_PATH"
    else
      wrk_run /dev/null "${CONNECTIONS##* }" "$THREADS" "$seconds" "http://127.0.0.1:${PORT[$target]}$URL_PATH"
    fi
    wrk_wait
  done
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "run dir $RUN_DIR; load average before: $LOAD_BEFORE; $(nproc) CPUs"
for ((round = 1; round <= ROUNDS; round++)); do
  for c in $CONNECTIONS; do
    for target in $TARGETS; do measure "$target" "$c" "$round"; done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ----------------------------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -F'\t' -v c="$1" -v t="$2" -v k="$3" '$2 == c && $3 == t { print $k }' "$RESULTS"; }

declare -A RPS=()
printf '\n%-10s %6s %12s %10s %8s %12s %7s\n' target conns "req/s" "p99 ms" "ratio" "CPU us/req" errors
for c in $CONNECTIONS; do
  for target in $TARGETS; do
    RPS[$target,$c]=$(column_of "$c" "$target" 4 | median)
  done
  for target in $TARGETS; do
    p99=$(column_of "$c" "$target" 5 | median)
    cpu=$(column_of "$c" "$target" 6 | median)
    errs=$(column_of "$c" "$target" 7 | awk '{ n += $1 } END { print n + 0 }')
    ratio=$(awk -v a="${RPS[$target,$c]}" -v d="${RPS[direct,$c]:-0}" 'BEGIN { if (d > 0) printf "%.2f", a / d; else print "-" }')
    printf '%-10s %6s %12.0f %10.2f %8s %12s %7s\n' "$target" "$c" "${RPS[$target,$c]}" "$p99" "$ratio" "$cpu" "$errs"
  done
done
LAST_C=${CONNECTIONS##* }
printf '\nmedians of %s rounds, %s s runs after %s s warm-up; "CPU us/req" is the CPU of the proxy process (for direct:\n' "$ROUNDS" "$DURATION" "$WARMUP"
printf 'both backends) per request served; load average before %s, after %s; %s CPUs; ratios below at %s connections\n' \
  "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)" "$LAST_C"
FAILED=0
line=""
for target in frontdoor apache haproxy nginx; do
  r=$(awk -v a="${RPS[$target,$LAST_C]:-0}" -v d="${RPS[direct,$LAST_C]:-0}" 'BEGIN { if (a > 0 && d > 0) printf "%.2f", a / d; else print "n/a" }')
  line+="$target/direct=$r "
done
echo "${line% }"
