#!/usr/bin/env bash
# Regenerates Sources/KapacitorUDFProto/Generated/udf.pb.swift from Proto/udf.proto.
# Needs Debian's protoc (apt-get install protobuf-compiler) and protoc-gen-swift, which this
# script builds from the swift-protobuf checkout that `swift package resolve` fetched (the
# same version the package depends on), unless PROTOC_GEN_SWIFT points to one already built.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

plugin="${PROTOC_GEN_SWIFT:-}"
if [ -z "$plugin" ]; then
    swift package resolve
    src=.build/checkouts/swift-protobuf
    swift build -c release --package-path "$src" --product protoc-gen-swift
    plugin="$src/.build/release/protoc-gen-swift"
fi

out=Sources/KapacitorUDFProto/Generated
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" \
    --swift_opt=Visibility=Public \
    --swift_out="$out" \
    -I Sources/KapacitorUDFProto/Proto udf.proto
echo "wrote $out/udf.pb.swift"
