#!/usr/bin/env bash
# Builds the guest image of a Luban VM: the Debian cloud kernel (uncompressed vmlinux, for direct boot) and a busybox
# initramfs that brings up eth0, starts the web service, dropbear (SSH) and acpid. Cached by a stamp of its inputs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/kernel.sh"

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
GUEST_DIR="$(dirname "$SCRIPT_PATH")/guest"
GUEST_FILES=(init acpi-power-button luban-conns)
OUT="${LUBAN_IMAGE_DIR:-$LUBAN_REPO_ROOT/.luban/image}"
KERNEL_META="${LUBAN_KERNEL_PACKAGE:-linux-image-cloud-amd64}"
WEB_BIN="${LUBAN_WEB_BIN:-}"
# The service loads OpenSSL at run time (password hashing, session keys, PostgreSQL's SCRAM): ldd does not list it.
EXTRA_LIBS="${LUBAN_WEB_EXTRA_LIBS-/usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3}"
MODULES=(virtio_pci virtio_net button evdev qemu_fw_cfg)
FORCE=0
ROTATE_KEYS=0

usage() {
    cat <<USAGE
Usage: scripts/vm/build-image.sh [--force] [--rotate-keys] [--out DIR] [--help]

Builds into \$LUBAN_IMAGE_DIR (default $LUBAN_REPO_ROOT/.luban/image):
  vmlinux             uncompressed kernel from $KERNEL_META (direct boot is ~3 s faster under emulation)
  initrd.img          busybox initramfs: /init, modules ${MODULES[*]}, dropbear, acpid, the web service
  image.env           manifest (paths, kernel version, service, host key fingerprint); source it from shell
  ssh_host_ed25519_key.pub / .fingerprint   the guests' SSH host key, for pinning (new with every build)
  agent_ed25519 / agent_ed25519.pub         the agent's key pair (OpenSSH format), authorised in the guest
                                            only to run luban-conns (no shell, no forwarding, no pty)
  The folder and its files are for root only (the initramfs holds the host key's private half).
  stamp               hash of the inputs; the image is rebuilt only when it changes (or with --force)

Inputs: this script and kernel.sh, the guest's files in scripts/vm/guest/ (${GUEST_FILES[*]}),
        \$LUBAN_WEB_BIN (a NativeAOT or other Linux x64 binary; its ldd libraries are packed),
        the kernel package version, the busybox and dropbear package versions, the keys.
Environment:
  LUBAN_WEB_BIN          the service binary. If unset, a TEST-ONLY placeholder is used: busybox httpd serving
                         / and /healthz. Never ship that: it is for testing the VM layer without Luban.Web.
  LUBAN_WEB_EXTRA_LIBS   host libraries the service dlopen()s (space-separated paths); default OpenSSL's
                         libssl.so.3 and libcrypto.so.3 (the service's hashing, session keys, SCRAM)
  LUBAN_KERNEL_PACKAGE   kernel meta package (default linux-image-cloud-amd64).
Options:
  --force        rebuild even when the stamp matches
  --rotate-keys  generate a new agent key (implies a rebuild; the host key is new with every build anyway)
  --out DIR      build into DIR instead of \$LUBAN_IMAGE_DIR

Guest kernel command line read by /init (values must not contain spaces):
  luban.ip=10.0.2.15/24 luban.gw=10.0.2.2 luban.dns=10.0.2.3   network (defaults: QEMU user networking)
  luban.instance=NAME   hostname and LUBAN_INSTANCE of the service
  luban.port=8080       the service port (ASPNETCORE_URLS=http://0.0.0.0:PORT, LUBAN_PORT)
  luban.ssh=22          dropbear port
  luban.loglevel=Warning  ASP.NET log level (Logging__LogLevel__Default); the console is an emulated serial port
  luban.probe=H:P,...   diagnostics: at boot, try to connect to each and print the outcome on the console
  luban.url=URL         the front door as users see it (LUBAN_PUBLIC_URL of the service)
Nothing secret goes on the command line: the records database's connection string arrives through QEMU's firmware
configuration (opt/luban/db) and the guest reaches the database only at 10.0.2.100:5432, its one way out.
In the guest, '/bin/luban-conns' prints the number of established TCP connections to the service port.
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) FORCE=1 ;;
        --rotate-keys) ROTATE_KEYS=1; FORCE=1 ;;
        --out) [[ $# -ge 2 ]] || die "--out needs a directory"; OUT=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

OUT="$(realpath -m "$OUT")"
[[ $OUT == /?*/?* ]] || die "--out / LUBAN_IMAGE_DIR '$OUT': use a folder at least two levels below /"
WORK_MARK=.luban-image-work

# The unpacked kernel and the initramfs root are deleted only inside a work folder this script made: marked, or
# (made before the mark existed) holding nothing but what it puts there.
remove_work_trees() {
    local entry
    [[ -d $WORK ]] || return 0
    if [[ ! -e $WORK/$WORK_MARK ]]; then
        for entry in "$WORK"/* "$WORK"/.[!.]*; do
            [[ -e $entry ]] || continue
            case "${entry##*/}" in
                deb | kernel | root | vmlinux | initrd.img) ;;
                *) die "$WORK holds ${entry##*/}: not a work folder of this script; not deleting in it" ;;
            esac
        done
    fi
    rm -rf -- "$WORK/root" "$WORK/kernel"
}
export PATH="$PATH:/usr/sbin:/sbin"
for tool in busybox dropbear dropbearkey ssh-keygen cpio lz4 depmod modinfo dpkg apt-get apt-cache sha256sum; do
    command -v "$tool" >/dev/null || die "'$tool' not found: run scripts/vm/install.sh"
done
BUSYBOX="$(command -v busybox)"
ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is dynamically linked; install busybox-static (scripts/vm/install.sh)"
DROPBEAR="$(command -v dropbear)"

if [[ -n $WEB_BIN ]]; then
    [[ -f $WEB_BIN && -x $WEB_BIN ]] || die "LUBAN_WEB_BIN=$WEB_BIN is not an executable file"
    WEB_BIN="$(cd "$(dirname "$WEB_BIN")" && pwd)/$(basename "$WEB_BIN")"
    SERVICE_DESC="binary $WEB_BIN"
else
    log "LUBAN_WEB_BIN is unset: using the TEST-ONLY placeholder service (busybox httpd serving / and /healthz)"
    SERVICE_DESC="placeholder busybox httpd (TEST ONLY)"
fi

# --- the kernel package: the versioned package behind the meta package (kernel.sh) ---------------------------------
resolve_kernel "$KERNEL_META"   # KERNEL_PKG, KERNEL_META_VERSION, KERNEL_VERSION (e.g. 6.1.0-56-cloud-amd64)

# --- keys: the agent's key pair once per cache dir; the guests' host key new with every build (below) -------------
# The image holds the host's private key: the image folder and its files are for root only.
mkdir -p "$OUT"
chmod 700 "$OUT"
KEYS="$OUT/keys"
mkdir -p "$KEYS"
chmod 700 "$KEYS"
if [[ $ROTATE_KEYS -eq 1 ]]; then
    log "rotating keys: the agent key changes (the host key changes with every build anyway)"
    rm -f "$KEYS"/*
fi
if [[ ! -s $KEYS/agent_ed25519 ]]; then
    log "generating the agent's SSH key pair (ed25519, OpenSSH format)"
    ssh-keygen -q -t ed25519 -N '' -C luban-agent -f "$KEYS/agent_ed25519"
fi

# --- the cache stamp ---------------------------------------------------------------------------------------------
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
STAMP_INPUT=$(
    echo "script $(sha256sum <"$SCRIPT_PATH" | cut -d' ' -f1) $(sha256sum <"$(dirname "$SCRIPT_PATH")/kernel.sh" | cut -d' ' -f1)"
    for f in "${GUEST_FILES[@]}"; do echo "guest $f $(sha256sum <"$GUEST_DIR/$f" | cut -d' ' -f1)"; done
    if [[ -n $WEB_BIN ]]; then echo "web $(sha256sum <"$WEB_BIN" | cut -d' ' -f1)"; else echo "web placeholder"; fi
    for lib in $EXTRA_LIBS; do echo "extra $lib $(sha256sum <"$lib" | cut -d' ' -f1)"; done
    echo "kernel $KERNEL_PKG $KERNEL_META_VERSION"
    echo "busybox $(pkg_version busybox-static) dropbear $(pkg_version dropbear-bin) libc $(pkg_version libc6)"
    echo "agentkey $(cut -d' ' -f2 "$KEYS/agent_ed25519.pub")"
)
STAMP=$(sha256sum <<<"$STAMP_INPUT" | cut -d' ' -f1)
if [[ $FORCE -eq 0 && -f $OUT/stamp && "$(<"$OUT/stamp")" == "$STAMP" && -s $OUT/vmlinux && -s $OUT/initrd.img ]]; then
    log "image up to date in $OUT (stamp ${STAMP:0:12}; service: $SERVICE_DESC)"
    exit 0
fi
if [[ -f $OUT/stamp ]]; then log "inputs changed (or --force): rebuilding $OUT"; else log "building $OUT"; fi

WORK="$OUT/work"
remove_work_trees
mkdir -p "$WORK/deb" "$WORK/kernel" "$WORK/root"
touch "$WORK/$WORK_MARK"

# --- kernel (kernel.sh) --------------------------------------------------------------------------------------------
unpack_kernel "$WORK/deb" "$WORK/kernel"   # VMLINUZ, MODDIR
extract_vmlinux "$WORK/vmlinux"

# --- initramfs root ----------------------------------------------------------------------------------------------
R="$WORK/root"
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,root/.ssh,lib64,lib/x86_64-linux-gnu,etc/dropbear,etc/acpi/PWRF,www,opt/luban,var/run}
chmod 1777 "$R/tmp"
chmod 700 "$R/root" "$R/root/.ssh"
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$R/bin/$applet"
done
ln -sf ../bin/busybox "$R/sbin/init"   # unused (/init is the init) but keeps 'poweroff' happy with its lookups

# Copies a dynamically linked binary's libraries (as ldd lists them) to the same paths under the root.
copy_libs() {
    local bin=$1 lib
    while read -r lib; do
        [[ -n $lib && -f $lib ]] || continue
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
    done < <(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
}

# Kernel modules and their dependencies, then depmod so busybox modprobe resolves them (kernel.sh).
add_modules "$R" "${MODULES[@]}"

# A host key of this build's own: a key taken from one image build does not impersonate the guests of the next.
rm -f "$KEYS/ssh_host_ed25519_key"
log "generating this build's SSH host key for the guests (ed25519, dropbear format)"
dropbearkey -t ed25519 -f "$KEYS/ssh_host_ed25519_key" >/dev/null 2>&1
chmod 600 "$KEYS/ssh_host_ed25519_key"
HOST_PUB=$(dropbearkey -y -f "$KEYS/ssh_host_ed25519_key" 2>/dev/null | awk '/^ssh-ed25519 / {print $1" "$2}')
[[ -n $HOST_PUB ]] || die "could not read the public half of $KEYS/ssh_host_ed25519_key"
HOST_FP=$(ssh-keygen -l -E sha256 -f <(echo "$HOST_PUB luban-guest") | awk '{print $2}')

# dropbear with its libraries (libcrypt, libtomcrypt, libtommath, zlib, libgmp), the host key and the agent's key.
# The agent's key can do one thing: count the service's connections (a forced command, no shell, no forwarding,
# no pty), whatever command the client asks for.
cp "$DROPBEAR" "$R/bin/dropbear"
copy_libs "$DROPBEAR"
cp "$KEYS/ssh_host_ed25519_key" "$R/etc/dropbear/dropbear_ed25519_host_key"
chmod 600 "$R/etc/dropbear/dropbear_ed25519_host_key"
printf 'command="/bin/luban-conns",no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-pty %s\n' \
    "$(cut -d' ' -f1,2 "$KEYS/agent_ed25519.pub")" >"$R/root/.ssh/authorized_keys"
chmod 600 "$R/root/.ssh/authorized_keys"

# The service.
if [[ -n $WEB_BIN ]]; then
    cp "$WEB_BIN" "$R/opt/luban/web"
    chmod 755 "$R/opt/luban/web"
    # glibc basics always; ldd adds whatever else the binary links (NativeAOT: libc, libm, ld-linux, maybe libz).
    for lib in /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 /lib64/ld-linux-x86-64.so.2; do
        mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"
    done
    copy_libs "$WEB_BIN"
    for lib in $EXTRA_LIBS; do mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"; done
    # Files next to the binary that a NativeAOT publish may produce (e.g. *.so of native dependencies).
    for f in "$(dirname "$WEB_BIN")"/*.so; do [[ -f $f ]] && cp "$f" "$R/opt/luban/"; done
else
    echo "placeholder" >"$R/opt/luban/PLACEHOLDER"
    printf '<!doctype html><title>Luban placeholder</title><p>TEST-ONLY placeholder service of the Luban VM image.</p>\n' \
        >"$R/www/index.html"
    echo ok >"$R/www/healthz"
fi

# Every packed dynamic binary must resolve all its libraries inside the image (ld.so --list in a chroot of the root).
if [[ $(id -u) -eq 0 ]]; then
    for bin in /bin/dropbear $([[ -n $WEB_BIN ]] && echo /opt/luban/web); do
        if ! out=$(chroot "$R" /lib64/ld-linux-x86-64.so.2 --list "$bin" 2>&1) || grep -q 'not found' <<<"$out"; then
            die "$bin does not load inside the image: $out"
        fi
    done
    log "library check: dropbear$([[ -n $WEB_BIN ]] && echo ' and the service') load inside the image"
else
    log "not root: skipping the in-image library check (chroot needs root)"
fi

# root for init and SSH; the web service runs as luban, which owns nothing of the image.
cat >"$R/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
luban:x:1000:1000:Luban web service:/nonexistent:/bin/false
PASSWD
printf 'root:x:0:\nluban:x:1000:\n' >"$R/etc/group"
echo '/bin/sh' >"$R/etc/shells"
printf '127.0.0.1 localhost\n' >"$R/etc/hosts"

# The guest's own files (scripts/vm/guest/): PID 1, the ACPI power-button handler, the connection counter.
install -m 755 "$GUEST_DIR/init" "$R/init"
install -m 755 "$GUEST_DIR/acpi-power-button" "$R/etc/acpi/PWRF/00000080"
install -m 755 "$GUEST_DIR/luban-conns" "$R/bin/luban-conns"

# --- pack and publish ------------------------------------------------------------------------------------------------
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$WORK/initrd.img"
log "initramfs $(( $(stat -c %s "$WORK/initrd.img") / 1024 )) KiB (gzip -1), root $(du -sh "$R" | cut -f1)"

cp "$KEYS/agent_ed25519" "$KEYS/agent_ed25519.pub" "$OUT/"
chmod 600 "$OUT/agent_ed25519"
echo "$HOST_PUB" >"$OUT/ssh_host_ed25519_key.pub"
echo "$HOST_FP" >"$OUT/ssh_host_ed25519_key.fingerprint"
mv -f "$WORK/vmlinux" "$OUT/vmlinux"
mv -f "$WORK/initrd.img" "$OUT/initrd.img"
chmod 600 "$OUT/vmlinux" "$OUT/initrd.img"
cat >"$OUT/image.env" <<ENV
# Written by scripts/vm/build-image.sh; shell-sourceable.
LUBAN_IMAGE_KERNEL=$OUT/vmlinux
LUBAN_IMAGE_INITRD=$OUT/initrd.img
LUBAN_IMAGE_KERNEL_VERSION=$KERNEL_VERSION
LUBAN_IMAGE_KERNEL_PACKAGE="$KERNEL_PKG $KERNEL_META_VERSION"
LUBAN_IMAGE_SERVICE="$SERVICE_DESC"
LUBAN_IMAGE_PLACEHOLDER=$([[ -n $WEB_BIN ]] && echo 0 || echo 1)
LUBAN_IMAGE_HOST_KEY="$HOST_PUB"
LUBAN_IMAGE_HOST_KEY_FINGERPRINT=$HOST_FP
LUBAN_IMAGE_AGENT_KEY=$OUT/agent_ed25519
LUBAN_IMAGE_GUEST_SSH_USER=root
LUBAN_IMAGE_CONN_COMMAND="luban-conns"
LUBAN_IMAGE_STAMP=$STAMP
ENV
echo "$STAMP" >"$OUT/stamp"
remove_work_trees
log "built $OUT: kernel $KERNEL_VERSION, service: $SERVICE_DESC, host key $HOST_FP"
