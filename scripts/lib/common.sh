# shellcheck shell=bash
# Messages and guarded deletes for ./luban and scripts/cmd/*.sh. Sourced by ./luban, which sets ROOT and RUN_DIR.

say() { printf 'luban: %s\n' "$*"; }
die() { printf 'luban: %s\n' "$*" >&2; exit 1; }

# A run directory must be somewhere a recursive delete below it can do no harm.
check_run_dir() {
  [[ "$RUN_DIR" == /?*/?* ]] \
    || die "LUBAN_RUN_DIR='$RUN_DIR': use a folder at least two levels below / (e.g. $ROOT/.luban/run)"
}

# remove_tree PATH...: deletes each tree, but only strictly below this run's RUN_DIR or the repository.
remove_tree() {
  local path real
  for path in "$@"; do
    [ -e "$path" ] || continue
    real="$(realpath -m -- "$path")"
    case "$real" in
      "$RUN_DIR"/?* | "$ROOT"/?*) rm -rf -- "$real" ;;
      *) die "refusing to delete $path: not below $RUN_DIR or $ROOT" ;;
    esac
  done
}
