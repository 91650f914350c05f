#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager (k8s.io/kubernetes) and etcd
# (go.etcd.io/etcd/server/v3) from the Go module proxy into
#   ${MEDIC_CACHE:-$HOME/.cache/medic}/kube/<KUBE_VERSION>/bin/
# Used by test/support/control-plane.ts (override the location with MEDIC_KUBE_BIN).
#
# Idempotent: exits at once when all three binaries exist and answer --version.
# Cold build on 2 cores (empty module and build caches): about 7.5 min measured (16 min while
# another Go build shared the cores); binaries missing but caches warm: ~15 s; up to date: < 0.2 s.
set -euo pipefail

KUBE_VERSION="${MEDIC_KUBE_VERSION:-1.37.2}"
ETCD_VERSION="${MEDIC_ETCD_VERSION:-3.7.3}"

CACHE="${MEDIC_CACHE:-$HOME/.cache/medic}"
BIN="$CACHE/kube/$KUBE_VERSION/bin"
start=$(date +%s)
elapsed() { echo "$(($(date +%s) - start))s"; }
log() { printf '[build-kube %s] %s\n' "$(elapsed)" "$*"; }

ok() {
  [[ -x "$BIN/kube-apiserver" && -x "$BIN/kube-controller-manager" && -x "$BIN/etcd" ]] || return 1
  "$BIN/kube-apiserver" --version 2>/dev/null | grep -q "v$KUBE_VERSION" || return 1
  "$BIN/kube-controller-manager" --version 2>/dev/null | grep -q "v$KUBE_VERSION" || return 1
  "$BIN/etcd" --version 2>/dev/null | grep -q "$ETCD_VERSION" || return 1
}

if ok; then
  log "up to date: $BIN (kube v$KUBE_VERSION, etcd v$ETCD_VERSION)"
  exit 0
fi

# shellcheck source=lib/go-build-env.sh
source "$(dirname "$0")/lib/go-build-env.sh"

# --- kubernetes -------------------------------------------------------------
kmod="$work/kube"
mkdir -p "$kmod"
log "fetching k8s.io/kubernetes v$KUBE_VERSION go.mod"
go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" >"$work/k8s.json"
k8sdir=$(sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' "$work/k8s.json")
[[ -f "$k8sdir/go.mod" ]] || { echo "build-kube: k8s.io/kubernetes@v$KUBE_VERSION not downloaded" >&2; cat "$work/k8s.json" >&2; exit 1; }

# Staging modules are replaced with "./staging/src/k8s.io/X" in kubernetes' go.mod;
# as a dependency they must be pinned to the published k8s.io/X v0.<minor>.<patch>.
staging_version="v0.${KUBE_VERSION#*.}"
staging=$(sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$k8sdir/go.mod")
go_line=$(sed -n 's/^go \(.*\)$/\1/p' "$k8sdir/go.mod" | head -1)
{
  echo "module medic.local/kubebuild"
  echo
  echo "go $go_line"
  echo
  echo "require k8s.io/kubernetes v$KUBE_VERSION"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m $staging_version"; done
  echo ")"
} >"$kmod/go.mod"
cat >"$kmod/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
EOF
# kubernetes' own require block decides the versions of everything else (MVS), so the
# result matches what upstream tested.
log "resolving modules (go mod tidy, $(wc -w <<<"$staging") staging modules at $staging_version)"
(cd "$kmod" && go mod tidy -e >"$work/tidy.log" 2>&1) || { cat "$work/tidy.log" >&2; exit 1; }
grep -v '^go: finding\|^go: downloading\|^go: found' "$work/tidy.log" >&2 || true

pkg=k8s.io/component-base/version
cpkg=k8s.io/client-go/pkg/version
minor=$(cut -d. -f2 <<<"$KUBE_VERSION")
ld="-s -w"
for p in $pkg $cpkg; do
  ld+=" -X $p.gitVersion=v$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

for cmd in kube-apiserver kube-controller-manager; do
  if [[ -x "$BIN/$cmd" ]] && "$BIN/$cmd" --version 2>/dev/null | grep -q "v$KUBE_VERSION"; then
    log "$cmd already built"
    continue
  fi
  log "building $cmd"
  t0=$(date +%s)
  (cd "$kmod" && go build -p "${MEDIC_BUILD_JOBS:-2}" -ldflags "$ld" -o "$BIN/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
  mv "$BIN/$cmd.tmp" "$BIN/$cmd"
  log "built $cmd in $(($(date +%s) - t0))s ($(du -h "$BIN/$cmd" | cut -f1))"
done

# --- etcd -------------------------------------------------------------------
if [[ -x "$BIN/etcd" ]] && "$BIN/etcd" --version 2>/dev/null | grep -q "$ETCD_VERSION"; then
  log "etcd already built"
else
  emod="$work/etcd"
  mkdir -p "$emod"
  # etcd's server go.mod replaces its sibling modules with ../api etc.; those are
  # ignored for a dependency, and the sibling requirements (same version) are used.
  cat >"$emod/go.mod" <<EOF
module medic.local/etcdbuild

go 1.26.0

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
EOF
  cat >"$emod/tools.go" <<'EOF'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
EOF
  log "resolving etcd v$ETCD_VERSION"
  (cd "$emod" && go mod tidy -e >"$work/etcd-tidy.log" 2>&1) || { cat "$work/etcd-tidy.log" >&2; exit 1; }
  log "building etcd"
  t0=$(date +%s)
  (cd "$emod" && go build -p "${MEDIC_BUILD_JOBS:-2}" -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  log "built etcd in $(($(date +%s) - t0))s ($(du -h "$BIN/etcd" | cut -f1))"
fi

ok || { echo "build-kube: binaries built but --version check failed" >&2; exit 1; }
"$BIN/kube-apiserver" --version
"$BIN/etcd" --version | head -1
log "done: $BIN"
