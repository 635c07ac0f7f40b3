#!/usr/bin/env bash
# Builds the bond lab's guest image: the Debian cloud kernel (uncompressed vmlinux) and a busybox initramfs with the
# bonding driver and bondlab (scripts/vm/lab/). Same conventions as build-image.sh; cached by a stamp of its inputs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/kernel.sh"

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
VM_DIR="$(dirname "$SCRIPT_PATH")"
LAB_DIR="$VM_DIR/lab"
OUT="${LUBAN_LAB_IMAGE_DIR:-$LUBAN_REPO_ROOT/.luban/lab-image}"
KERNEL_META="${LUBAN_KERNEL_PACKAGE:-linux-image-cloud-amd64}"
MODULES=(virtio_pci virtio_net button tls bonding)
FORCE=0

usage() {
    cat <<USAGE
Usage: scripts/vm/build-lab-image.sh [--force] [--out DIR] [--help]

Builds the guest image of the bond lab (./luban bench bond-failover) into \$LUBAN_LAB_IMAGE_DIR
(default $LUBAN_REPO_ROOT/.luban/lab-image):
  vmlinux      uncompressed kernel from $KERNEL_META
  initrd.img   busybox initramfs: /init (scripts/vm/lab/init), modules ${MODULES[*]},
               /bin/bondlab (scripts/vm/lab/bondlab.c, compiled statically here)
  image.env    manifest (paths, kernel version); source it from shell
  stamp        hash of the inputs; the image is rebuilt only when it changes (or with --force)
No SSH, no service, no secrets: the lab guests only bond their two links and send or receive a stream.

Guest kernel command line read by /init (defaults in brackets):
  lab.role=sender|receiver [receiver]   lab.ip=ADDR/LEN [192.168.77.2/24]   lab.peer=ADDR [192.168.77.1]
  lab.port=N [7000]   lab.rate=DATAGRAMS_PER_S [1000]   lab.flows=N [8]   lab.size=BYTES [512]   lab.seconds=N [30]
  lab.mode=802.3ad   lab.miimon=100   lab.lacp_rate=fast   lab.hash=layer3+4     the bond's settings
The guest's two NICs become eth1 and eth2 (the paper's names); bondlab writes its record to ttyS1.
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) FORCE=1 ;;
        --out) [[ $# -ge 2 ]] || die "--out needs a directory"; OUT=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

OUT="$(realpath -m "$OUT")"
[[ $OUT == /?*/?* ]] || die "--out / LUBAN_LAB_IMAGE_DIR '$OUT': use a folder at least two levels below /"
export PATH="$PATH:/usr/sbin:/sbin"
for tool in busybox cpio lz4 depmod modinfo dpkg apt-get apt-cache sha256sum gcc; do
    command -v "$tool" >/dev/null || die "'$tool' not found: run scripts/vm/install.sh (gcc: apt-get install gcc libc6-dev)"
done
BUSYBOX="$(command -v busybox)"
ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is dynamically linked; install busybox-static (scripts/vm/install.sh)"

resolve_kernel "$KERNEL_META"

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
STAMP_INPUT=$(
    for f in "$SCRIPT_PATH" "$VM_DIR/kernel.sh" "$LAB_DIR/init" "$LAB_DIR/bondlab.c" "$VM_DIR/guest/acpi-power-button"; do
        echo "${f#"$VM_DIR"/} $(sha256sum <"$f" | cut -d' ' -f1)"
    done
    echo "kernel $KERNEL_PKG $KERNEL_META_VERSION"
    echo "busybox $(pkg_version busybox-static) gcc $(pkg_version gcc) libc $(pkg_version libc6-dev)"
)
STAMP=$(sha256sum <<<"$STAMP_INPUT" | cut -d' ' -f1)
if [[ $FORCE -eq 0 && -f $OUT/stamp && "$(<"$OUT/stamp")" == "$STAMP" && -s $OUT/vmlinux && -s $OUT/initrd.img ]]; then
    log "lab image up to date in $OUT (stamp ${STAMP:0:12}, kernel $KERNEL_VERSION)"
    exit 0
fi
log "building the lab image in $OUT"

mkdir -p "$OUT"
WORK="$OUT/work"
# Only trees this script makes are deleted, and only inside its own work folder.
rm -rf -- "${WORK:?}/root" "${WORK:?}/kernel"
mkdir -p "$WORK/deb" "$WORK/kernel" "$WORK/root"

unpack_kernel "$WORK/deb" "$WORK/kernel"
extract_vmlinux "$WORK/vmlinux"

R="$WORK/root"
mkdir -p "$R"/{bin,sbin,etc/acpi/PWRF,proc,sys,dev,tmp,root}
chmod 1777 "$R/tmp"
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$R/bin/$applet"
done
ln -sf ../bin/busybox "$R/sbin/init"
add_modules "$R" "${MODULES[@]}"
# Static: the initramfs carries no C library.
gcc -O2 -Wall -Wextra -Werror -static -o "$R/bin/bondlab" "$LAB_DIR/bondlab.c" || die "bondlab does not compile"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
install -m 755 "$LAB_DIR/init" "$R/init"
install -m 755 "$VM_DIR/guest/acpi-power-button" "$R/etc/acpi/PWRF/00000080"

(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$WORK/initrd.img"
log "initramfs $(( $(stat -c %s "$WORK/initrd.img") / 1024 )) KiB (gzip -1)"
mv -f "$WORK/vmlinux" "$OUT/vmlinux"
mv -f "$WORK/initrd.img" "$OUT/initrd.img"
cat >"$OUT/image.env" <<ENV
# Written by scripts/vm/build-lab-image.sh; shell-sourceable.
LUBAN_LAB_KERNEL=$OUT/vmlinux
LUBAN_LAB_INITRD=$OUT/initrd.img
LUBAN_LAB_KERNEL_VERSION=$KERNEL_VERSION
LUBAN_LAB_KERNEL_PACKAGE="$KERNEL_PKG $KERNEL_META_VERSION"
LUBAN_LAB_STAMP=$STAMP
ENV
echo "$STAMP" >"$OUT/stamp"
rm -rf -- "${WORK:?}/root" "${WORK:?}/kernel"
log "built $OUT: kernel $KERNEL_VERSION"
