"""ASG artifacts in PyTorch: load an `asg export` file, and the paper's layers (arXiv 2509.17737, sections 2.3-2.4).

    import asg_torch
    art = asg_torch.load("minilm-asg.safetensors")          # codebook [m*k, D/m], concept_ids [V, m], checked digests
    emb = asg_torch.ASGEmbedding.from_artifact(art)         # trainable E', frozen mapping; emb(ids) -> [..., D]
    head = asg_torch.ASGOutputHead.tied(emb)                # eq. 2 logits without a V x D matrix
    asg_torch.replace_embeddings(hf_model, "minilm-asg.safetensors")

Depends on numpy and torch only: the safetensors header is parsed here (8-byte length, JSON, raw bytes), and
pyarrow is imported only to read an artifact directory's Parquet directly.
"""

import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FORMAT = "asg-export"
FORMAT_VERSION = "1"
# Same bound as the Java reader (SafetensorsHeader): bigger headers are corrupt or hostile.
MAX_HEADER_BYTES = 16 << 20
_NUMPY = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I32": np.int32, "I64": np.int64,
          "U8": np.uint8, "I8": np.int8, "I16": np.int16, "BF16": np.uint16}
EXPORT_HINT = "spark-job/bin/asg export --artifacts DIR --output FILE.safetensors"


class ArtifactError(ValueError):
    """The file or directory is not a complete, intact ASG artifact; the message says what to do."""


class SafetensorsFile:
    """A safetensors file opened read-only through a memory map: header, metadata, raw bytes and arrays."""

    def __init__(self, path):
        self.path = os.fspath(path)
        size = os.path.getsize(self.path)
        with open(self.path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise ArtifactError(f"{self.path}: {size} bytes, too short for a safetensors file")
            (n,) = struct.unpack("<Q", head)
            if n == 0 or n > MAX_HEADER_BYTES or 8 + n > size:
                raise ArtifactError(f"{self.path}: safetensors header length {n} is 0, above 100 MiB or past the "
                                    f"end of the {size}-byte file; the file is truncated or not safetensors")
            try:
                header = json.loads(f.read(n).decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise ArtifactError(f"{self.path}: the safetensors header is not UTF-8 JSON ({e})") from None
        if not isinstance(header, dict):
            raise ArtifactError(f"{self.path}: the safetensors header is not a JSON object")
        self.metadata = header.pop("__metadata__", None) or {}
        self.tensors = header
        self._start = 8 + n
        self._data = np.memmap(self.path, dtype=np.uint8, mode="r") if size > self._start else np.zeros(0, np.uint8)
        for name, t in header.items():
            b, e = t["data_offsets"]
            if not 0 <= b <= e <= size - self._start:
                raise ArtifactError(f"{self.path}: tensor '{name}' has data_offsets [{b}, {e}] outside the data "
                                    f"region; the file is truncated or corrupt")

    def raw(self, name) -> memoryview:
        """The tensor's bytes exactly as stored."""
        b, e = self.tensors[name]["data_offsets"]
        return memoryview(self._data[self._start + b:self._start + e])

    def array(self, name) -> np.ndarray:
        """The tensor as a numpy array (BF16 widened to float32), sharing the file's memory when possible."""
        t = self.tensors[name]
        if t["dtype"] not in _NUMPY:
            raise ArtifactError(f"{self.path}: tensor '{name}' has dtype {t['dtype']}, which this reader does not "
                                f"convert")
        a = np.frombuffer(self.raw(name), dtype=np.dtype(_NUMPY[t["dtype"]]).newbyteorder("<"))
        if t["dtype"] == "BF16":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        return a.reshape(t["shape"])


def read_safetensors(path, names=None):
    """{name: numpy array} of a safetensors file (every tensor, or those in `names`), and its metadata."""
    f = SafetensorsFile(path)
    return {n: f.array(n) for n in (names or f.tensors)}, f.metadata


@dataclass
class Artifact:
    """One ASG structure: codebook E' (row = ConceptID) and the V x m mapping of each token to its ConceptIDs."""
    codebook: torch.Tensor          # float32 [m*k, D/m] (separate) or [k, D/m] (shared)
    concept_ids: torch.Tensor       # int64 [V, m]: row indices into codebook (i*k + s_i, or s_i when shared)
    m: int
    k: int
    mode: str                       # 'separate' | 'shared'
    manifest: dict
    section: Optional[str] = None   # 'input' / 'output' of a decoder artifact, None for the single layout
    tokens: Optional[List[str]] = None
    metadata: dict = field(default_factory=dict)

    @property
    def vocab_size(self) -> int:
        return self.concept_ids.shape[0]

    @property
    def dim(self) -> int:
        return self.m * self.codebook.shape[1]

    def reconstruction(self) -> torch.Tensor:
        """The dense V x D table the artifact stands for: row t = concat_i codebook[concept_ids[t, i]]."""
        return F.embedding(self.concept_ids, self.codebook).reshape(self.vocab_size, self.dim)


def _sha256(buf) -> str:
    return hashlib.sha256(buf).hexdigest()


def _check_shapes(where, codebook, concept_ids, m, k, mode, V, D):
    rows = k if mode == "shared" else m * k
    if mode not in ("separate", "shared") or D % m:
        raise ArtifactError(f"{where}: mode {mode!r}, m {m}, D {D}: mode must be separate|shared and m divide D")
    if tuple(codebook.shape) != (rows, D // m) or tuple(concept_ids.shape) != (V, m):
        raise ArtifactError(f"{where}: codebook {tuple(codebook.shape)} / concept_ids {tuple(concept_ids.shape)} "
                            f"do not match m={m}, k={k}, {mode}, V={V}, D={D}")
    if len(concept_ids) and (concept_ids.min() < 0 or concept_ids.max() >= rows):
        raise ArtifactError(f"{where}: concept_ids outside [0, {rows})")


def _check_digest(where, what, actual, *expected):
    for e in expected:
        if actual != e:
            raise ArtifactError(f"{where}: {what} bytes have SHA-256 {actual} but the manifest says {e}; the file "
                                f"was modified or damaged, export the artifact again")


def _pick_section(where, sections, section):
    if sections:
        if section not in sections:
            raise ArtifactError(f"{where} is a decoder artifact with sections {sections}; pass section= one of them")
        return section
    if section is not None:
        raise ArtifactError(f"{where} has a single layout (no sections); drop section={section!r}")
    return None


def load(path, section=None) -> Artifact:
    """Loads an `asg export` file, or an artifact directory (needs pyarrow), checking its digests.

    `section` picks 'input' or 'output' of a decoder artifact (and must be None otherwise).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        return _load_dir(path, section)
    if not os.path.isfile(path):
        raise ArtifactError(f"{path} does not exist; pass a file written by `asg export` or an artifact directory")
    f = SafetensorsFile(path)
    md = f.metadata
    if md.get("format") != FORMAT:
        raise ArtifactError(f"{path} is not an ASG export (metadata format {md.get('format')!r}); write one with "
                            f"`{EXPORT_HINT}`")
    if md.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{path}: export format_version {md.get('format_version')!r}; this reader knows "
                            f"{FORMAT_VERSION}, update asg_torch.py")
    sections = [s for s in md.get("sections", "").split(",") if s]
    section = _pick_section(path, sections, section)
    p = "" if section is None else section + "."
    for t, dt in (("codebook", "F32"), ("concept_ids", "I32")):
        if f.tensors.get(p + t, {}).get("dtype") != dt:
            raise ArtifactError(f"{path}: tensor '{p + t}' missing or not {dt}; re-export with `{EXPORT_HINT}`")
    manifest = json.loads(md[p + "manifest"])
    m, k, V, D, mode = int(md[p + "m"]), int(md[p + "k"]), int(md[p + "V"]), int(md[p + "D"]), md[p + "mode"]
    _check_digest(path, p + "codebook", _sha256(f.raw(p + "codebook")), md[p + "digests.codebook"],
                  manifest["digests"]["codebook"])
    _check_digest(path, p + "concept_ids", _sha256(f.raw(p + "concept_ids")), md[p + "digests.mapping"],
                  manifest["digests"]["mapping"])
    codebook = f.array(p + "codebook")
    ids = f.array(p + "concept_ids")
    _check_shapes(path, codebook, ids, m, k, mode, V, D)
    tokens = json.loads(md["tokens"]) if "tokens" in md else None
    return Artifact(torch.from_numpy(np.array(codebook)), torch.from_numpy(ids.astype(np.int64)), m, k, mode,
                    manifest, section, tokens, dict(md))


def _load_dir(path, section):
    """An artifact directory: Parquet codebook/ and mapping/ read with pyarrow, digests checked like the export."""
    if not os.path.exists(os.path.join(path, "_SUCCESS")):
        raise ArtifactError(f"{path} has no _SUCCESS: not a committed artifact (interrupted quantize?); rerun it")
    with open(os.path.join(path, "manifest.json")) as fh:
        top = json.load(fh)
    section = _pick_section(path, list(top.get("sections") or {}), section)
    d = path if section is None else os.path.join(path, section)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ArtifactError(f"{path} is a Parquet artifact directory and pyarrow is not installed; convert it "
                            f"with `{EXPORT_HINT}` and load that file") from None
    with open(os.path.join(d, "manifest.json")) as fh:
        manifest = json.load(fh)
    m, k = int(manifest["params"]["m"]), int(manifest["params"]["k"])
    mode = manifest["params"].get("codebook", "separate")
    V, D = (int(x) for x in manifest["source"]["shape"])
    cb = pq.read_table(os.path.join(d, "codebook"), columns=["row", "vector"]).sort_by("row")
    codebook = _flat(cb.column("vector"), np.float32).reshape(-1, D // m)
    mp = pq.read_table(os.path.join(d, "mapping")).sort_by("token_id")
    ids = _flat(mp.column("concept_ids"), np.int32).reshape(-1, m)
    _check_shapes(d, codebook, ids, m, k, mode, V, D)
    _check_digest(d, "codebook", _sha256(codebook.astype("<f4").tobytes()), manifest["digests"]["codebook"])
    _check_digest(d, "mapping", _sha256(ids.astype("<i4").tobytes()), manifest["digests"]["mapping"])
    tokens = mp.column("token").to_pylist() if "token" in mp.column_names else None
    return Artifact(torch.from_numpy(codebook), torch.from_numpy(ids.astype(np.int64)), m, k, mode, manifest,
                    section, tokens)


def _flat(column, dtype):
    """A Parquet list column as one flat numpy array (rows concatenated), without a Python list per row."""
    return np.asarray(column.combine_chunks().flatten().to_numpy(zero_copy_only=False), dtype=dtype)


def _resolve(artifacts, section=None) -> Artifact:
    return artifacts if isinstance(artifacts, Artifact) else load(artifacts, section)


class ASGEmbedding(nn.Module):
    """The paper's input layer (section 2.3): token t -> concat of its m concept vectors E'[concept_ids[t, i]].

    `weight` (E', [m*k, D/m] or [k, D/m] shared) is the only parameter; the mapping is a buffer, saved in the
    state_dict and never trained. Parameters: k*D (separate) or k*D/m (shared), against V*D for nn.Embedding.
    """

    def __init__(self, codebook: torch.Tensor, concept_ids: torch.Tensor, m: int, k: int, mode: str = "separate"):
        super().__init__()
        _check_shapes("ASGEmbedding", codebook, concept_ids, m, k, mode, concept_ids.shape[0], m * codebook.shape[1])
        self.m, self.k, self.mode = m, k, mode
        self.num_embeddings = concept_ids.shape[0]
        self.embedding_dim = m * codebook.shape[1]
        self.weight = nn.Parameter(codebook.detach().clone().float())
        self.register_buffer("concept_ids", concept_ids.detach().clone().long())

    @classmethod
    def from_artifact(cls, artifacts, section=None):
        a = _resolve(artifacts, section)
        return cls(a.codebook, a.concept_ids, a.m, a.k, a.mode)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return F.embedding(self.concept_ids[input_ids], self.weight).flatten(-2)

    def reconstruction(self) -> torch.Tensor:
        """The dense V x D table E'[concept_ids] (differentiable in weight; the inverse mapping is built once)."""
        if getattr(self, "_inv", None) is None or self._inv[0].device != self.concept_ids.device:
            self._inv = _inverse(self.concept_ids, self.weight.shape[0])
        rows = _GatherRows.apply(self.weight, self.concept_ids.reshape(-1), *self._inv)
        return rows.reshape(self.num_embeddings, self.embedding_dim)

    def extra_repr(self):
        return f"V={self.num_embeddings}, D={self.embedding_dim}, m={self.m}, k={self.k}, mode={self.mode}"


def _rows_dense(t: torch.Tensor) -> torch.Tensor:
    """Unit stride along the last dim: embedding_bag's fast path needs it, and a [V, 1] gradient of a transposed
    [1, V] tensor is "contiguous" with stride (1, V), which sends it down the slow path (seconds at V = 250k)."""
    return t if t.stride(-1) == 1 else t.clone(memory_format=torch.contiguous_format)


def _inverse(ids: torch.Tensor, rows: int):
    """For a fixed [V, m] index table: the flat positions t*m+i sorted by the row they index, and each row's start."""
    flat = ids.reshape(-1)
    order = torch.argsort(flat)
    counts = torch.bincount(flat, minlength=rows)
    return order, torch.cumsum(counts, 0) - counts


class _GatherRows(torch.autograd.Function):
    """rows = table[ids] for a fixed index list; the backward sums each row's gradients with one embedding_bag over
    the presorted inverse instead of F.embedding's backward, which sorts all indices on every call."""

    @staticmethod
    def forward(ctx, table, ids, inv_order, inv_offsets):
        ctx.save_for_backward(inv_order, inv_offsets)
        return table.index_select(0, ids)

    @staticmethod
    def backward(ctx, grad):
        inv_order, inv_offsets = ctx.saved_tensors
        return F.embedding_bag(inv_order, _rows_dense(grad), inv_offsets, mode="sum"), None, None, None


class _GatherSum(torch.autograd.Function):
    """out[t] = sum_i scores[ids[t, i]], whose gradient is the same gather-and-sum over the inverse mapping.

    F.embedding_bag's own backward sorts all V*m indices on every call (seconds at XLM-R shape on CPU); the mapping
    is fixed, so the inverse (for each score row, the tokens using it) is sorted once and the backward is a second
    embedding_bag.
    """

    @staticmethod
    def forward(ctx, scores, ids, inv_tokens, inv_offsets):
        ctx.save_for_backward(inv_tokens, inv_offsets)
        return F.embedding_bag(ids, scores, mode="sum")

    @staticmethod
    def backward(ctx, grad):
        inv_tokens, inv_offsets = ctx.saved_tensors
        return F.embedding_bag(inv_tokens, _rows_dense(grad), inv_offsets, mode="sum"), None, None, None


class ASGOutputHead(nn.Module):
    """The decoder's output layer (section 2.4, eq. 2): logits[b, t] = sum_i H_i . E'[concept_ids[t, i]].

    Factored mode (default) never builds a V x D matrix: per segment the scores of H_i against that segment's k
    centroids (k*D multiply-adds per token), then one gather-and-sum of m scores per vocabulary entry
    (F.embedding_bag over the mapping). `materialize=True` instead rebuilds the V x D reconstruction each call and
    runs one dense matmul: more memory, but BLAS speed when many tokens share the call. Both give the same logits.
    Tied to an ASGEmbedding (`ASGOutputHead.tied(emb)`) it uses that layer's weight and mapping.
    """

    def __init__(self, codebook=None, concept_ids=None, m=None, k=None, mode="separate", *, tied_to=None,
                 materialize=False, bias=None):
        super().__init__()
        if tied_to is not None:
            self._tied = [tied_to]  # a plain list: the embedding stays owned (and saved) by the model
            concept_ids, m, k, mode = tied_to.concept_ids, tied_to.m, tied_to.k, tied_to.mode
            dsub = tied_to.weight.shape[1]
        else:
            self._tied = None
            self.weight = nn.Parameter(codebook.detach().clone().float())
            dsub = codebook.shape[1]
        self.m, self.k, self.mode, self.materialize = m, k, mode, materialize
        self.in_features, self.out_features = m * dsub, concept_ids.shape[0]
        ids = concept_ids.detach().clone().long()
        self.register_buffer("concept_ids", ids)
        # Row of each (token, segment) score in the [m*k, B] score table: ids already are i*k + s_i when
        # separate; a shared codebook's s_i is offset by the segment.
        offset = torch.arange(m, dtype=torch.long) * k if mode == "shared" else torch.zeros(m, dtype=torch.long)
        if materialize:
            # E'[concept_ids] row by row; its backward sums over each codebook row's users.
            order, offsets = _inverse(ids, (k if mode == "shared" else m * k))
            self.register_buffer("inv_order", order, persistent=False)
        else:
            # Scores table [m*k, B]; each token gathers m of its rows, the backward sums each row's tokens.
            gather = ids + offset.to(ids.device)
            self.register_buffer("gather_ids", gather, persistent=False)
            order, offsets = _inverse(gather, m * k)
            self.register_buffer("inv_order", torch.div(order, m, rounding_mode="floor"), persistent=False)
        self.register_buffer("inv_offsets", offsets, persistent=False)
        self.bias = bias if bias is None or isinstance(bias, nn.Parameter) else nn.Parameter(bias.detach().clone())

    @classmethod
    def from_artifact(cls, artifacts, section=None, materialize=False, bias=None):
        a = _resolve(artifacts, section)
        return cls(a.codebook, a.concept_ids, a.m, a.k, a.mode, materialize=materialize, bias=bias)

    @classmethod
    def tied(cls, embedding: ASGEmbedding, materialize=False, bias=None):
        return cls(tied_to=embedding, materialize=materialize, bias=bias)

    def codebook(self) -> torch.Tensor:
        return self._tied[0].weight if self._tied is not None else self.weight

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        lead = hidden.shape[:-1]
        x = hidden.reshape(-1, self.in_features)
        C = self.codebook()
        if self.materialize:
            W = _GatherRows.apply(C, self.concept_ids.reshape(-1), self.inv_order, self.inv_offsets)
            W = W.reshape(self.out_features, self.in_features)
            logits = x @ W.t()
        else:
            xs = x.t().reshape(self.m, -1, x.shape[0])              # [m, dsub, B]
            cb = C.view(self.m, self.k, -1) if self.mode == "separate" else C
            scores = torch.matmul(cb, xs).reshape(self.m * self.k, -1)  # [m*k, B]: segment scores per centroid
            logits = _GatherSum.apply(scores, self.gather_ids, self.inv_order, self.inv_offsets).t()  # [B, V]
        if self.bias is not None:
            logits = logits + self.bias
        return logits.reshape(*lead, self.out_features)

    def extra_repr(self):
        return (f"D={self.in_features}, V={self.out_features}, m={self.m}, k={self.k}, mode={self.mode}, "
                f"materialize={self.materialize}, tied={self._tied is not None}")


def replace_embeddings(model, artifacts, output_artifacts=None, materialize_head=False):
    """Swaps a Hugging Face style model's input layer (and output layer) for ASG layers; returns the model.

    Duck-typed: uses get_input_embeddings / set_input_embeddings and, when present, get_output_embeddings /
    set_output_embeddings. The output layer becomes an ASGOutputHead from `output_artifacts` (a decoder's untied
    lm_head), or one tied to the new embedding when the old output layer shared the input's weight; an output
    layer's bias is kept. A decoder export passed alone supplies both sections. Do not call the model's
    tie_weights() afterwards: it would copy E' (not a V x D table) into the output layer.
    """
    if not isinstance(artifacts, Artifact):
        f = SafetensorsFile(artifacts) if os.path.isfile(artifacts) else None
        sections = [s for s in (f.metadata.get("sections", "") if f else "").split(",") if s]
        if sections:
            if output_artifacts is None and "output" in sections:
                output_artifacts = load(artifacts, "output")
            artifacts = load(artifacts, "input")
        else:
            artifacts = load(artifacts)
    old = model.get_input_embeddings()
    old_w = getattr(old, "weight", None)
    if old_w is not None and tuple(old_w.shape) != (artifacts.vocab_size, artifacts.dim):
        raise ArtifactError(f"the model's input embedding is {tuple(old_w.shape)} but the artifact describes "
                            f"{(artifacts.vocab_size, artifacts.dim)}; pass the artifact of this model")
    emb = ASGEmbedding.from_artifact(artifacts)
    if old_w is not None:
        emb = emb.to(old_w.device)
    model.set_input_embeddings(emb)
    out_old = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if out_old is None:
        return model
    bias = getattr(out_old, "bias", None)
    if output_artifacts is not None:
        out = _resolve(output_artifacts, "output" if isinstance(output_artifacts, (str, os.PathLike)) and
                       _is_decoder_file(output_artifacts) else None)
        w = getattr(out_old, "weight", None)
        if w is not None and tuple(w.shape) != (out.vocab_size, out.dim):
            raise ArtifactError(f"the model's output layer is {tuple(w.shape)} but the output artifact describes "
                                f"{(out.vocab_size, out.dim)}")
        head = ASGOutputHead.from_artifact(out, materialize=materialize_head, bias=bias)
    elif old_w is not None and getattr(out_old, "weight", None) is old_w:
        head = ASGOutputHead.tied(emb, materialize=materialize_head, bias=bias)
    else:
        return model
    model.set_output_embeddings(head.to(emb.weight.device))
    return model


def _is_decoder_file(path):
    return os.path.isfile(path) and bool(SafetensorsFile(path).metadata.get("sections"))
