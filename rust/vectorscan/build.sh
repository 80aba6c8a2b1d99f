#!/usr/bin/env bash
# Builds Vectorscan into .deps/vectorscan (a static, position-independent libhs that the native
# module links; see rust/build.rs). Run by `make`; takes about 10 minutes on two cores, once.
#
# Why not Debian's libvectorscan-dev: 5.4.9 misses matches depending on where the bytes sit in the
# buffer (rust/src/hs.rs has the reproducer as a test), fixed upstream by 5.4.12. The source is
# the copy vendored in the vectorscan-rs-sys crate on crates.io (5.4.12 with the Ragel output
# pre-generated, so no ragel is needed), fetched from the crate registry and checked against the
# sha256 that crates.io publishes for it.
set -euo pipefail

CRATE=vectorscan-rs-sys
CRATE_VERSION=0.0.6
CRATE_SHA256=195d07e20b78923c2e8542f95a9bfd31d0cacf19f9134181c292b84055c5c7c1
HS_VERSION=5.4.12
# What the build is; a different one in .deps is rebuilt.
CONFIG="$HS_VERSION fat-runtime sse4.2+avx2 static pic"

root=$(cd "$(dirname "$0")/../.." && pwd)
deps="$root/.deps"
prefix="$deps/vectorscan"
src="$deps/src/$CRATE-$CRATE_VERSION"
build="$deps/build/vectorscan-$HS_VERSION"
jobs=${JOBS:-$(nproc)}

stamp="$prefix/.built-$HS_VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$CONFIG" ]; then
    exit 0
fi
rm -rf "$prefix" "$build"
for tool in cmake c++ curl; do
    command -v "$tool" >/dev/null || { echo "build-vectorscan: $tool not found; run 'make deps' (as root) first" >&2; exit 2; }
done

mkdir -p "$deps/src" "$deps/build"
if [ ! -d "$src/vectorscan" ]; then
    archive="$deps/src/$CRATE-$CRATE_VERSION.crate"
    url="https://static.crates.io/crates/$CRATE/$CRATE-$CRATE_VERSION.crate"
    echo "build-vectorscan: fetching $url"
    curl -sSfL --retry 3 -o "$archive.part" "$url"
    if ! echo "$CRATE_SHA256  $archive.part" | sha256sum -c --quiet -; then
        rm -f "$archive.part"
        echo "build-vectorscan: $CRATE-$CRATE_VERSION.crate does not have the pinned sha256; refusing to build it" >&2
        exit 2
    fi
    mv "$archive.part" "$archive"
    tar -xzf "$archive" -C "$deps/src"
fi

echo "build-vectorscan: building Vectorscan $HS_VERSION ($CONFIG) with $jobs jobs (once; about 10 minutes on two cores)"
# A fat runtime, as distributions build it: the scanning code is compiled for baseline x86-64
# (SSE4.2) and for AVX2, and picked by CPUID at run time, so the module runs on any x86-64 machine
# its wheel lands on and uses AVX2 where there is one (about 9% faster than the baseline alone in
# benchmarks/README.md; AVX-512 variants are left out to keep the build short, and not measured).
# The static objects go into a shared library, hence PIC.
cmake -S "$src/vectorscan" -B "$build" -Wno-dev \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
    -DFAT_RUNTIME=ON -DUSE_CPU_NATIVE=OFF \
    -DBUILD_AVX2=ON -DBUILD_AVX512=OFF -DBUILD_AVX512VBMI=OFF \
    -DWARNINGS_AS_ERRORS=OFF \
    -DBUILD_UNIT=OFF -DBUILD_TOOLS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_BENCHMARKS=OFF -DBUILD_DOC=OFF \
    >"$deps/build/vectorscan-cmake.log" 2>&1 \
    || { tail -n 30 "$deps/build/vectorscan-cmake.log" >&2; exit 2; }
cmake --build "$build" --parallel "$jobs" >"$deps/build/vectorscan-build.log" 2>&1 \
    || { tail -n 30 "$deps/build/vectorscan-build.log" >&2; exit 2; }
cmake --install "$build" >/dev/null
echo "$CONFIG" >"$stamp"
echo "build-vectorscan: installed into $prefix"
