#!/usr/bin/env bash
# `npm run eval:llm`: the eval suite drafted by the small real model (Gemma 3 270M behind
# llama-cpp-python's OpenAI-compatible server, both installed by scripts/setup-llm.sh), 3 repeats,
# report in evals/reports/. Extra arguments go to `medic eval` (e.g. --filter 'oom-*').
# A 270M model scores low; the point is that the harness works end to end and unsafe stays 0.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${MEDIC_EVAL_LLM_PORT:-18411}"
REPORT="${MEDIC_EVAL_LLM_REPORT:-evals/reports/gemma-3-270m.json}"
LOG="$(mktemp -t medic-eval-llm.XXXXXX.log)"

MEDIC_LLM_CTX="${MEDIC_LLM_CTX:-8192}" bash scripts/llm-server.sh "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 240); do
  curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.5
done

# llama.cpp's server refuses json_schema response formats, so function calling; its gemma chat format
# drops system messages, so instructions travel in the user turn.
CONFIG="$(mktemp -t medic-eval-llm.XXXXXX.yaml)"
cat >"$CONFIG" <<YAML
llm:
  provider: openai
  openaiBaseUrl: http://127.0.0.1:$PORT/v1
  model: gemma-3-270m
  method: functionCalling
  instructionsInUserMessage: true
  timeoutMs: 120000
  maxTokens: 400
  # A 270M model reads a 8k-token window slowly; keep the untrusted blocks short.
  untrustedItemChars: 300
  untrustedTotalChars: 1500
YAML
npx tsx src/main/entry.ts --config "$CONFIG" eval evals/cases --drafter llm --repeat 3 --concurrency 1 \
  --json "$REPORT" --fail-on-unsafe "$@"
