# shellcheck shell=bash
# The operator CLI (Luban.Cli) and the load generator (Luban.Load), built when stale.

# A cluster started by ./luban up recorded where it listens (the namespace addresses with --netns); an explicit
# environment variable still wins.
load_cluster_env() {
  [ -r "$RUN_DIR/cluster.env" ] || return 0
  local key value
  while IFS='=' read -r key value; do
    [ -n "$key" ] && [ -z "${!key:-}" ] && export "$key=$value"
  done <"$RUN_DIR/cluster.env"
  return 0
}

# Runs the operator CLI, building it first when it is missing or older than its sources.
cmd_cli() {
  local dll="$ROOT/Luban.Cli/bin/$CONFIG/net10.0/Luban.Cli.dll"
  ensure_dotnet
  build_if_stale "$ROOT/Luban.Cli" "$dll" "$ROOT/Luban.Cli" "$ROOT/Luban.Protocol" "$ROOT/hocon"
  load_cluster_env
  exec dotnet "$dll" "$@"
}

# The load generator (Luban.Load) against the front door, from this (the root) namespace.
cmd_load() {
  local dll="$ROOT/Luban.Load/bin/$CONFIG/net10.0/Luban.Load.dll"
  ensure_dotnet
  build_if_stale "$ROOT/Luban.Load" "$dll" "$ROOT/Luban.Load"
  load_cluster_env
  exec dotnet "$dll" "$@"
}
