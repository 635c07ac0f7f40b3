# shellcheck shell=bash
# ./luban test: installs and starts what the tests need, runs the whole suite, and fails on a skipped test too.

TEST_PG_DIR="$ROOT/.luban/pg-test"
# The tests' guests write their consoles here (LUBAN_TEST_CONSOLE_DIR), so clean-up finds exactly those domains.
TEST_CONSOLE_DIR="$RUN_DIR/test-vm"

# trx_results FILE...: one line per skipped test ("skipped<TAB>name<TAB>reason"), then "counts<TAB>P<TAB>F<TAB>S".
trx_results() {
  awk '
    function attr(line, name,   m) {
      if (match(line, " " name "=\"[^\"]*\"")) { m = substr(line, RSTART + length(name) + 3, RLENGTH - length(name) - 4); return m }
      return ""
    }
    function unescape(s) {
      gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s); gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&amp;/, "\\&", s)
      return s
    }
    function flush() { if (pending != "") printf "skipped\t%s\t%s\n", pending, (reason == "" ? "(no reason given)" : reason); pending = ""; reason = "" }
    /<UnitTestResult / {
      flush()
      outcome = attr($0, "outcome")
      if (outcome == "Passed") p++
      else if (outcome == "NotExecuted") { s++; pending = unescape(attr($0, "testName")) }
      else f++
    }
    pending != "" && /<Message>/ { inmsg = 1; sub(/.*<Message>/, "") }
    inmsg {
      line = $0
      if (line ~ /<\/Message>/) { sub(/<\/Message>.*/, "", line); inmsg = 0 }
      gsub(/^[ \t]+|[ \t]+$/, "", line)
      reason = reason (reason == "" ? "" : " ") unescape(line)
    }
    /<\/UnitTestResult>/ { flush() }
    END { flush(); printf "counts\t%d\t%d\t%d\n", p, f, s }
  ' "$@"
}

# The counts from the console summary lines, when no TRX file was written (e.g. the build failed).
console_counts() {
  awk '/(Passed|Failed)! +- Failed:/ {
         gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
       }
       END { printf "counts\t%d\t%d\t%d\n", p, f, s }' "$1"
}

test_cleanup() {
  destroy_run_domains "$TEST_CONSOLE_DIR"
  stop_postgres "$TEST_PG_DIR"
  stop_libvirtd_if_started
}

cmd_test() {
  [ "${1:-}" = "--help" ] && { usage; exit 0; }
  mkdir -p "$RUN_DIR"
  ensure_test_deps
  local log="$RUN_DIR/test.log" results="$RUN_DIR/test-results" status=0
  local pg_port="${LUBAN_TEST_PG_PORT:-55433}"
  trap test_cleanup EXIT

  say "starting PostgreSQL (port $pg_port) and libvirtd for the tests"
  start_postgres "$TEST_PG_DIR" "$pg_port" luban_test
  # Test guests reach the tests' database through their database forward, with this secret.
  write_db_secret "$RUN_DIR/secrets/test-guest-db.conn" luban_test "$TEST_PG_DIR"
  start_libvirtd
  say "publishing Luban.Web as a NativeAOT binary and building the VM image"
  local web_bin
  web_bin="$(publish_web_aot)"
  build_image "$web_bin"

  say "running the test suite (Release); full output in $log"
  mkdir -p "$results" "$TEST_CONSOLE_DIR"
  rm -f "$results"/*.trx
  LUBAN_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=luban;Password=$(postgres_password "$TEST_PG_DIR");Database=luban_test" \
  LUBAN_TEST_PG_DIR="$TEST_PG_DIR" LUBAN_TEST_GUEST_DB_FILE="$RUN_DIR/secrets/test-guest-db.conn" \
  LUBAN_TEST_GUEST_DB_TARGET="127.0.0.1:$pg_port" \
  LUBAN_AOT_BINARY="$web_bin" LUBAN_TEST_CONSOLE_DIR="$TEST_CONSOLE_DIR" \
    dotnet test "$ROOT/Luban.sln" -c "$CONFIG" -nologo --logger "trx;LogFileName=luban-tests.trx" \
      --results-directory "$results" "$@" 2>&1 | tee "$log" || status=$?
  # Clean up before the summary, so the closing line is the last thing printed.
  test_cleanup
  trap - EXIT

  local kind name reason passed=0 failed=0 skipped=0 skips=()
  local trx=("$results"/*.trx)
  while IFS=$'\t' read -r kind name reason; do
    case "$kind" in
      skipped) skips+=("$name: $reason") ;;
      counts) passed="$name" failed="${reason%%$'\t'*}" skipped="${reason#*$'\t'}" ;;
    esac
  done < <(if [ -e "${trx[0]}" ]; then trx_results "${trx[@]}"; else console_counts "$log"; fi)
  if ((skipped > 0)); then
    say "$skipped test(s) skipped:"
    if ((${#skips[@]})); then printf '  %s\n' "${skips[@]}"; else say "  (names in $log)"; fi
    if [ "${LUBAN_ALLOW_SKIP:-}" != 1 ]; then
      say "a skipped test fails the run (LUBAN_ALLOW_SKIP=1 allows skips)"
      ((status)) || status=1
    fi
  fi
  # One closing line in the plain form CI reads, summed over the test assemblies.
  printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
  return "$status"
}
