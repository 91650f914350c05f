#!/usr/bin/env bash
# Run the test LLM (installed by scripts/setup-llm.sh) in the foreground as an OpenAI-compatible
# server, with the same flags as test/support/llm.ts:
#   bash scripts/llm-server.sh [port]        # default 8000; then use http://127.0.0.1:<port>/v1
# Extra llama_cpp.server flags may follow the port, e.g. `bash scripts/llm-server.sh 8000 --verbose true`.
set -euo pipefail

CACHE="${MEDIC_CACHE:-$HOME/.cache/medic}"
PY="${MEDIC_LLM_PYTHON:-$CACHE/llm-venv/bin/python}"
MODEL="${MEDIC_TEST_LLM_GGUF:-$(cat "$CACHE/llm-venv/MODEL_PATH" 2>/dev/null || echo "$CACHE/llm-model/gemma-3-270m-q4_k_m.gguf")}"
PORT="${1:-8000}"
shift || true

[[ -x "$PY" && -s "$MODEL" ]] || { echo "llm-server: not installed (run: bash scripts/setup-llm.sh)" >&2; exit 1; }

# OMP_WAIT_POLICY=PASSIVE: llama.cpp's OpenMP threads otherwise spin, which stalls badly when the
# 2 cores are shared with other work (see test/support/llm.ts).
export OMP_NUM_THREADS="${MEDIC_LLM_THREADS:-2}" OMP_WAIT_POLICY=PASSIVE PYTHONUNBUFFERED=1
exec "$PY" -m llama_cpp.server \
  --model "$MODEL" --model_alias gemma-3-270m \
  --host 127.0.0.1 --port "$PORT" \
  --n_ctx "${MEDIC_LLM_CTX:-4096}" --n_threads "$OMP_NUM_THREADS" --n_threads_batch "$OMP_NUM_THREADS" \
  --chat_format gemma --verbose false "$@"
