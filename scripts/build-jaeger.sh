#!/usr/bin/env bash
# Build the Jaeger all-in-one binary (github.com/jaegertracing/jaeger/cmd/all-in-one,
# in-memory storage, OTLP receiver + query API) from the Go module proxy into
#   ${MEDIC_CACHE:-$HOME/.cache/medic}/jaeger/<version>/bin/jaeger-all-in-one
# Used by test/support/jaeger.ts (override the location with MEDIC_JAEGER_BIN).
#
# Idempotent: exits at once when the binary exists and answers `version`.
set -euo pipefail

JAEGER_VERSION="${MEDIC_JAEGER_VERSION:-1.76.0}"
DIR_VERSION="${JAEGER_VERSION%.0}" # cache dir is jaeger/1.76

CACHE="${MEDIC_CACHE:-$HOME/.cache/medic}"
BIN="$CACHE/jaeger/$DIR_VERSION/bin"
OUT="$BIN/jaeger-all-in-one"
start=$(date +%s)
log() { printf '[build-jaeger %ss] %s\n' "$(($(date +%s) - start))" "$*"; }

ok() {
  [[ -x "$OUT" ]] && "$OUT" version 2>/dev/null | grep -q "v$JAEGER_VERSION"
}

if ok; then
  log "up to date: $OUT (v$JAEGER_VERSION)"
  exit 0
fi

# shellcheck source=lib/go-build-env.sh
source "$(dirname "$0")/lib/go-build-env.sh"

# Jaeger's go.mod has one replace (sarama); a dependency's replaces are ignored,
# so the throwaway module copies it.
go mod download -json "github.com/jaegertracing/jaeger@v$JAEGER_VERSION" >"$work/j.json"
jdir=$(sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' "$work/j.json")
[[ -f "$jdir/go.mod" ]] || { cat "$work/j.json" >&2; exit 1; }
{
  echo "module medic.local/jaegerbuild"
  echo
  echo "go 1.26.0"
  echo
  echo "require github.com/jaegertracing/jaeger v$JAEGER_VERSION"
  echo
  grep -E '^replace [^(]' "$jdir/go.mod" | grep -v '=> \.' || true
} >"$work/go.mod"
cat >"$work/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/jaegertracing/jaeger/cmd/all-in-one"
EOF
log "resolving modules"
(cd "$work" && go mod tidy -e >"$work/tidy.log" 2>&1) || { cat "$work/tidy.log" >&2; exit 1; }

v=github.com/jaegertracing/jaeger/internal/version
ld="-s -w -X $v.latestVersion=v$JAEGER_VERSION -X $v.commitSHA=module-proxy -X $v.date=1970-01-01T00:00:00Z"
log "building github.com/jaegertracing/jaeger/cmd/all-in-one@v$JAEGER_VERSION"
(cd "$work" && go build -p "${MEDIC_BUILD_JOBS:-2}" -ldflags "$ld" -o "$OUT.tmp" github.com/jaegertracing/jaeger/cmd/all-in-one)
mv "$OUT.tmp" "$OUT"
ok || { echo "build-jaeger: built, but '$OUT version' does not report v$JAEGER_VERSION" >&2; "$OUT" version >&2 || true; exit 1; }
log "done: $OUT ($(du -h "$OUT" | cut -f1))"
