# shellcheck shell=bash
# A PostgreSQL instance of our own: a data folder of the run's, one port, started and stopped by that folder only.
# Real authentication: scram-sha-256 for the `luban` role (no superuser, owner of its one database, password made
# on first start and kept 0600 beside the data); the postgres superuser only over the local socket, as its own OS
# user. Durable writes (fsync on). It listens on loopback, and on the bridge with --netns, nowhere else.

# The newest installed server's bin folder.
postgres_bin() {
  local dirs=(/usr/lib/postgresql/*/bin)
  [ -e "${dirs[0]}" ] || return 0
  printf '%s\n' "${dirs[@]}" | sort -V | tail -n 1
}

# The luban role's password for the server in DIR (made on first use, 0600, never on a command line).
postgres_password() {
  local file="$1/luban.password"
  if [ ! -s "$file" ]; then
    (umask 077 && od -An -N18 -tx1 /dev/urandom | tr -d ' \n' >"$file")
  fi
  cat "$file"
}

# write_db_secret FILE DATABASE PG_DIR: the connection string the guests use (through their database forward),
# password included, readable by its owner only.
write_db_secret() {
  local file="$1" db="$2" dir="$3"
  mkdir -p "$(dirname "$file")"
  (umask 077 && printf 'Host=10.0.2.100;Port=5432;Username=luban;Password=%s;Database=%s\n' "$(postgres_password "$dir")" "$db" >"$file")
}

# postgres_sql DIR PORT: runs the SQL on standard input as the postgres superuser over the local socket.
postgres_sql() {
  runuser -u postgres -- "$(postgres_bin)/psql" -h "$1" -p "$2" -v ON_ERROR_STOP=1 -qtA -f - >/dev/null
}

# start_postgres DIR PORT DATABASE [EXTRA_ADDRESS SUBNET/24]: data under DIR/data (owned by the postgres user),
# listening on loopback PORT; with --netns also on the bridge address, open to the hosts' subnet.
start_postgres() {
  local dir="$1" port="$2" db="$3" extra="${4:-}" subnet="${5:-}" bin listen=127.0.0.1
  bin="$(postgres_bin)"
  [ -x "$bin/pg_ctl" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" --auth-local=peer --auth-host=scram-sha-256 -U postgres -E UTF8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  [ -z "$extra" ] || listen="127.0.0.1,$extra"
  {
    echo "# Written by Luban scripts/lib/postgres.sh on every start."
    echo "local all postgres peer"
    echo "host $db luban 127.0.0.1/32 scram-sha-256"
    [ -z "$subnet" ] || echo "host $db luban $subnet scram-sha-256   # luban up --netns: the hosts' namespaces"
  } >"$dir/data/pg_hba.conf"
  chown postgres:postgres "$dir/data/pg_hba.conf"
  if runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" reload >/dev/null
  else
    without_inherited_fds runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=$listen -c max_connections=200 -c password_encryption=scram-sha-256" \
      start >/dev/null || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start (port $port in use?)"; }
  fi
  local password
  password="$(postgres_password "$dir")"
  postgres_sql "$dir" "$port" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'luban') THEN CREATE ROLE luban LOGIN; END IF;
END \$\$;
ALTER ROLE luban WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '$password';
SQL
  if ! runuser -u postgres -- "$bin/psql" -h "$dir" -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
    runuser -u postgres -- "$bin/createdb" -h "$dir" -p "$port" -O luban "$db"
  fi
  postgres_sql "$dir" "$port" <<SQL
ALTER DATABASE "$db" OWNER TO luban;
REVOKE ALL ON DATABASE "$db" FROM PUBLIC;
SQL
}

# Stops the server whose data folder is DIR/data (pg_ctl reads the postmaster PID from that folder).
stop_postgres() {
  local dir="$1" bin
  bin="$(postgres_bin)"
  [ -s "$dir/data/postmaster.pid" ] || return 0
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
