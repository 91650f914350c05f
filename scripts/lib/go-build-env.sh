# Sourced by the scripts that build Go tools from the module proxy into $CACHE: one module and build
# cache for all of them, reproducible flags, a throwaway work dir removed on exit.
# Expects CACHE, BIN and a `log` function; sets $work.
command -v go >/dev/null || { echo "$(basename "$0"): go is not installed" >&2; exit 1; }

export GOMODCACHE="$CACHE/gomod"
export GOCACHE="$CACHE/gocache"
export GOFLAGS="-trimpath -mod=mod -buildvcs=false"
export CGO_ENABLED=0
export GOTOOLCHAIN=local
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
mkdir -p "$BIN" "$GOMODCACHE" "$GOCACHE"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "go $(go env GOVERSION), GOMODCACHE=$GOMODCACHE GOCACHE=$GOCACHE, work=$work"
