# The guests' Debian kernel for the image builders (build-image.sh, build-lab-image.sh). Sourced, not executed;
# needs common.sh (log, die).
# shellcheck shell=bash

# resolve_kernel META: sets KERNEL_PKG (the versioned package behind META), KERNEL_META_VERSION and KERNEL_VERSION
# (e.g. 6.1.0-57-cloud-amd64); runs apt-get update once if apt does not know META yet.
resolve_kernel() {
    local meta=$1
    _resolve() {
        KERNEL_PKG=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
        KERNEL_META_VERSION=$(apt-cache policy "$meta" 2>/dev/null | awk '/Candidate:/ {print $2}')
    }
    _resolve
    if [[ -z $KERNEL_PKG || -z $KERNEL_META_VERSION || $KERNEL_META_VERSION == "(none)" ]]; then
        log "apt does not know $meta yet; running apt-get update"
        apt-get update -qq || die "apt-get update failed (needs root and the Debian mirror)"
        _resolve
        [[ -n $KERNEL_PKG ]] || die "cannot resolve the versioned kernel package behind $meta"
    fi
    KERNEL_VERSION=${KERNEL_PKG#linux-image-}
}

# unpack_kernel DEBDIR DIR: downloads $KERNEL_PKG into DEBDIR (kept as a cache) and unpacks it into DIR; sets VMLINUZ
# and MODDIR.
unpack_kernel() {
    local debdir=$1 dir=$2 debs deb
    debs=("$debdir/${KERNEL_PKG}_"*.deb)
    deb=${debs[0]}
    if [[ ! -f $deb ]]; then
        log "downloading $KERNEL_PKG ($KERNEL_META_VERSION)"
        rm -f "$debdir/"*.deb
        (cd "$debdir" && apt-get -q -o APT::Sandbox::User=root download "$KERNEL_PKG" >/dev/null) \
            || die "apt-get download $KERNEL_PKG failed"
        debs=("$debdir/${KERNEL_PKG}_"*.deb)
        deb=${debs[0]}
        [[ -f $deb ]] || die "apt-get download $KERNEL_PKG left no .deb in $debdir"
    fi
    dpkg -x "$deb" "$dir"
    VMLINUZ="$dir/boot/vmlinuz-$KERNEL_VERSION"
    MODDIR="$dir/lib/modules/$KERNEL_VERSION"
    [[ -f $VMLINUZ && -d $MODDIR ]] || die "$deb holds no vmlinuz-$KERNEL_VERSION or its modules"
}

# extract_vmlinux OUT: the uncompressed ELF kernel from $VMLINUZ (direct boot is ~3 s faster under emulation).
extract_vmlinux() {
    local out=$1 offset
    # The bzImage carries an LZ4 legacy-frame payload (magic 02 21 4c 18); decompress it to get an ELF vmlinux.
    offset=$(grep -obUaP '\x02\x21\x4c\x18' "$VMLINUZ" | head -n1 | cut -d: -f1 || true)
    [[ -n $offset ]] || die "no LZ4 magic in $VMLINUZ (kernel not built with CONFIG_KERNEL_LZ4?)"
    tail -c +"$((offset + 1))" "$VMLINUZ" | lz4 -dc >"$out" 2>/dev/null || true  # trailing data makes lz4 complain
    [[ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" == "7f454c46" ]] \
        || die "the LZ4 payload at offset $offset of $VMLINUZ did not decompress to an ELF vmlinux"
    log "kernel $KERNEL_VERSION: vmlinux $(( $(stat -c %s "$out") / 1048576 )) MiB (LZ4 payload at offset $offset)"
}

# add_modules ROOT NAME...: copies each module and what it depends on from $MODDIR into ROOT's /lib/modules, then
# runs depmod so busybox modprobe resolves them. Built-in modules are skipped.
add_modules() {
    local root=$1 name
    shift
    declare -A added=()
    _add() {
        local name=$1 file dep
        [[ -z ${added[$name]:-} ]] || return 0
        added[$name]=1
        if grep -qE "/${name//_/[_-]}\.ko$" "$MODDIR/modules.builtin" 2>/dev/null; then return 0; fi
        file=$(find "$MODDIR/kernel" -name "$name.ko*" -print -quit)
        [[ -n $file ]] || die "kernel module $name not found in $KERNEL_PKG"
        mkdir -p "$root/lib/modules/$KERNEL_VERSION/$(dirname "${file#"$MODDIR"/}")"
        cp "$file" "$root/lib/modules/$KERNEL_VERSION/${file#"$MODDIR"/}"
        for dep in $(modinfo -F depends "$file" | tr ',' ' '); do _add "$dep"; done
    }
    for name in "$@"; do _add "$name"; done
    cp "$MODDIR"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$KERNEL_VERSION/"
    depmod -b "$root" "$KERNEL_VERSION"
}
