# shellcheck shell=bash
# Processes of a run: each started with a PID file and the exact command line it runs (RUN_DIR/NAME.pid and
# RUN_DIR/NAME.cmdline), and signalled only while /proc/PID/cmdline still shows that command.

# Closes every file descriptor above 2 of the current shell, so a long-lived daemon never keeps a lock or pipe of
# whoever called ./luban (e.g. `flock … ./luban test`) open after we return.
close_inherited_fds() {
  local fd
  for fd in "/proc/$BASHPID/fd/"*; do
    fd="${fd##*/}"
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
  done
  return 0
}

# Runs a command with every file descriptor above 2 closed.
without_inherited_fds() {
  (
    close_inherited_fds
    exec "$@"
  )
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# The PIDs in this run's PID files, alive or not.
recorded_pids() {
  local f
  for f in "$RUN_DIR"/*.pid; do [ -e "$f" ] && cat "$f"; done
  return 0
}

# run_pid NAME: prints NAME's recorded PID when that process is alive and runs the command line this run started.
run_pid() {
  local name="$1" pid
  [ -s "$RUN_DIR/$name.pid" ] && [ -s "$RUN_DIR/$name.cmdline" ] || return 1
  pid="$(cat "$RUN_DIR/$name.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
  same_cmdline "$RUN_DIR/$name.cmdline" "/proc/$pid/cmdline" || return 1
  echo "$pid"
}

# same_cmdline FILE /proc/PID/cmdline: the same NUL-separated words (read, not stat'ed: /proc files have size 0,
# which `cmp -s` takes as a difference).
same_cmdline() {
  local expected actual
  expected="$(tr '\0' '\n' <"$1" 2>/dev/null)" && actual="$(tr '\0' '\n' <"$2" 2>/dev/null)" || return 1
  [ -n "$actual" ] && [ "$expected" = "$actual" ]
}

# The recorded processes that still run what this run started.
running_pids() {
  local f
  for f in "$RUN_DIR"/*.pid; do
    [ -e "$f" ] && run_pid "$(basename "$f" .pid)"
  done
  return 0
}

# start_program NAME PROGRAM ARGS...: runs a process in its own session, logs to RUN_DIR/NAME.log, records
# RUN_DIR/NAME.pid and the command line it will run (NUL-separated, as /proc/PID/cmdline shows it) in
# RUN_DIR/NAME.cmdline. With START_NETNS set, the process runs in that network namespace (ip netns exec execs, so
# the PID is the same).
start_program() {
  local name="$1" in_ns=()
  shift
  [ -n "${START_NETNS:-}" ] && in_ns=(ip netns exec "$START_NETNS")
  printf '%s\0' "$@" >"$RUN_DIR/$name.cmdline"
  # One fork: the background subshell closes inherited descriptors and becomes the process, so $! is its PID.
  (
    close_inherited_fds
    export LUBAN_RUN_DIR="$RUN_DIR"
    exec setsid "${in_ns[@]}" "$@"
  ) >"$RUN_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

# start NAME DLL ARGS...: a .NET process of the run (see start_program).
start() {
  local name="$1"
  shift
  start_program "$name" dotnet "$@"
}

# stop_recorded NAME: SIGTERM, SIGKILL after 20 s; only while the PID still runs the command this run started.
stop_recorded() {
  local name="$1" f="$RUN_DIR/$1.pid" pid waited
  [ -e "$f" ] || return 0
  if pid="$(run_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    waited=0
    while pid_alive "$pid" && ((waited < 200)); do sleep 0.1; waited=$((waited + 1)); done
    if pid_alive "$pid"; then
      say "$name (pid $pid) did not stop in 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  elif pid="$(cat "$f")" && pid_alive "$pid"; then
    say "$name: pid $pid runs something else now (not $RUN_DIR/$name.cmdline); leaving it alone"
  fi
  rm -f "$f" "$RUN_DIR/$name.cmdline"
}
