# shellcheck shell=bash
# A PostgreSQL instance of our own: a data folder of the run's, one port, started and stopped by that folder only.

# The newest installed server's bin folder.
postgres_bin() {
  local dirs=(/usr/lib/postgresql/*/bin)
  [ -e "${dirs[0]}" ] || return 0
  printf '%s\n' "${dirs[@]}" | sort -V | tail -n 1
}

# start_postgres DIR PORT DATABASE [EXTRA_ADDRESS SUBNET/24]: data dir under DIR (owned by the postgres user), on
# loopback PORT; every VM reaches it as 10.0.2.2:PORT. With --netns it also listens on the bridge address and trusts
# the hosts' subnet.
start_postgres() {
  local dir="$1" port="$2" db="$3" extra="${4:-}" subnet="${5:-}" bin listen=127.0.0.1
  bin="$(postgres_bin)"
  [ -x "$bin/pg_ctl" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  if [ -n "$extra" ]; then
    listen="127.0.0.1,$extra"
    grep -q "^host all all $subnet trust" "$dir/data/pg_hba.conf" \
      || echo "host all all $subnet trust   # luban up --netns: the hosts' namespaces" >>"$dir/data/pg_hba.conf"
  fi
  if ! runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    without_inherited_fds runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=$listen -c max_connections=200 -c fsync=off" start >/dev/null \
      || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start (port $port in use?)"; }
  fi
  runuser -u postgres -- "$bin/psql" -h "$dir" -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" \
    | grep -q 1 || runuser -u postgres -- "$bin/createdb" -h "$dir" -p "$port" "$db"
}

# Stops the server whose data folder is DIR/data (pg_ctl reads the postmaster PID from that folder).
stop_postgres() {
  local dir="$1" bin
  bin="$(postgres_bin)"
  [ -s "$dir/data/postmaster.pid" ] || return 0
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
