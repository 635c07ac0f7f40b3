# shellcheck shell=bash
# Building: the runtime projects, the NativeAOT service, the VM image, and single projects when stale.

build_runtime() {
  say "building (Release)"
  dotnet build "$ROOT/Luban.Runtime.slnf" -c "$CONFIG" -nologo -v q -clp:ErrorsOnly >"$RUN_DIR/build.log" 2>&1 \
    || { cat "$RUN_DIR/build.log" >&2; die "build failed"; }
}

# Publishes Luban.Web as one NativeAOT binary (it boots inside the VMs) into .luban/web; prints its path.
publish_web_aot() {
  local out="$ROOT/.luban/web" log="$RUN_DIR/publish-web.log"
  dotnet publish "$ROOT/Luban.Web/Luban.Web.csproj" -c "$CONFIG" -r linux-x64 -p:CppCompilerAndLinker=clang-14 \
    -o "$out" -nologo -v q >"$log" 2>&1 || { cat "$log" >&2; die "NativeAOT publish of Luban.Web failed"; }
  echo "$out/Luban.Web"
}

# build_image WEB_BIN: the VM image around that service binary (cached by scripts/vm/build-image.sh); its log goes
# to RUN_DIR/image.log and is shown on failure.
build_image() {
  LUBAN_WEB_BIN="$1" "$ROOT/scripts/vm/build-image.sh" >"$RUN_DIR/image.log" 2>&1 \
    || { cat "$RUN_DIR/image.log" >&2; die "VM image build failed"; }
}

# build_if_stale PROJECT_DIR DLL SOURCE_DIRS...: builds quietly (log under RUN_DIR) when the DLL is missing or older
# than its sources.
build_if_stale() {
  local project="$1" dll="$2"
  shift 2
  if [ ! -f "$dll" ] || [ -n "$(find "$@" \( -name '*.cs' -o -name '*.csproj' -o -name '*.hocon' \) \
      -not -path '*/obj/*' -newer "$dll" -print -quit)" ]; then
    mkdir -p "$RUN_DIR"
    local name
    name="$(basename "$project")"
    dotnet build "$project/$name.csproj" -c "$CONFIG" -nologo -v q -clp:ErrorsOnly >"$RUN_DIR/build-$name.log" 2>&1 \
      || { cat "$RUN_DIR/build-$name.log" >&2; die "build of $name failed"; }
  fi
}
