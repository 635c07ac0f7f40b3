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

# The load generator (Luban.Load) against the front door, from this (the root) namespace. With --paper (the paper's
# Figure 15 at its own pace) the cluster decides every 5 minutes for the run: setting the tick restarts it, so the
# decisions fall at minutes 5, 10, 15 and 20 of the run; the previous tick is put back afterwards, also on Ctrl-C.
cmd_load() {
  local dll="$ROOT/Luban.Load/bin/$CONFIG/net10.0/Luban.Load.dll" arg paper=0
  ensure_dotnet
  build_if_stale "$ROOT/Luban.Load" "$dll" "$ROOT/Luban.Load"
  load_cluster_env
  for arg in "$@"; do
    case "$arg" in
      --paper) paper=1 ;;
      -h|--help) paper=0; break ;;
    esac
  done
  ((paper)) || exec dotnet "$dll" "$@"
  local cli="$ROOT/Luban.Cli/bin/$CONFIG/net10.0/Luban.Cli.dll" previous code=0
  build_if_stale "$ROOT/Luban.Cli" "$cli" "$ROOT/Luban.Cli" "$ROOT/Luban.Protocol" "$ROOT/hocon"
  previous="$(dotnet "$cli" policy show | awk '$1 == "'"$PAPER_TICK_KEY"'" { print $2 }')"
  [ -n "$previous" ] || die "load --paper: the seed did not show $PAPER_TICK_KEY (is the cluster up? ./luban status)"
  say "load --paper: the cluster's tick goes from $previous to 5m for this run"
  dotnet "$cli" policy set "$PAPER_TICK_KEY" 5m >/dev/null || die "load --paper: could not set $PAPER_TICK_KEY"
  # shellcheck disable=SC2064 # the previous value is fixed now, on purpose
  trap "dotnet '$cli' policy set '$PAPER_TICK_KEY' '$previous' >/dev/null && say 'load --paper: tick back to $previous'" EXIT
  dotnet "$dll" "$@" || code=$?
  return "$code"
}
PAPER_TICK_KEY=tick-interval
