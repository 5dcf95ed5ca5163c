"""asg_torch against real all-MiniLM-L6-v2 artifacts produced by the Java side in the same test run."""
import hashlib
import json
import shutil

import numpy as np
import pytest
import torch
from torch import nn

import asg_torch as A

WORD = "embeddings.word_embeddings.weight"
# Logits are sums of 384 float32 products of magnitude ~0.1 (hidden ~N(0,1), MiniLM entries ~0.05): float32
# rounding keeps them within ~1e-6 of a float64 reference; 1e-4 absolute leaves room for summation order.
LOGIT_ATOL = 1e-4


@pytest.fixture(scope="session")
def art(fx):
    return A.load(fx / "minilm-asg.safetensors")


@pytest.fixture(scope="session")
def table(fx):
    t, _ = A.read_safetensors(fx / "model" / "model.safetensors", [WORD])
    return torch.from_numpy(np.array(t[WORD]))


def test_load_reconstructionEqualsJavaDecode(fx, art):
    java, md = A.read_safetensors(fx / "minilm-decoded.safetensors")
    assert torch.equal(art.reconstruction(), torch.from_numpy(np.array(java[WORD])))
    assert md["digests.codebook"] == art.manifest["digests"]["codebook"]


def test_load_relativeMseEqualsManifest(art, table):
    recon = A.ASGEmbedding.from_artifact(art)(torch.arange(art.vocab_size)).double()
    rel = ((table.double() - recon) ** 2).sum() / (table.double() ** 2).sum()
    assert abs(rel.item() - art.manifest["result"]["relative_mse"]) < 1e-6


def test_load_digestsOfTensorsEqualManifest(art):
    assert hashlib.sha256(art.codebook.numpy().astype("<f4").tobytes()).hexdigest() == art.manifest["digests"]["codebook"]
    assert hashlib.sha256(art.concept_ids.numpy().astype("<i4").tobytes()).hexdigest() == art.manifest["digests"]["mapping"]
    assert (art.m, art.k, art.mode, art.vocab_size, art.dim) == (24, 256, "separate", 30522, 384)
    assert art.tokens[2269] == "father"


def test_embedding_paramCountIsKD_andMatchesTable(art):
    emb = A.ASGEmbedding.from_artifact(art)
    assert [n for n, _ in emb.named_parameters()] == ["weight"]
    assert sum(p.numel() for p in emb.parameters()) == art.k * art.dim
    ids = torch.tensor([[101, 2269, 102], [0, 5, 30521]])
    out = emb(ids)
    assert out.shape == (2, 3, 384)
    assert torch.equal(out[0, 1], art.reconstruction()[2269])


@pytest.mark.parametrize("materialize", [False, True])
def test_head_logitsEqualHiddenTimesReconstructionT(art, materialize):
    torch.manual_seed(0)
    h = torch.randn(3, 5, art.dim)
    head = A.ASGOutputHead.from_artifact(art, materialize=materialize)
    ref = h.double() @ art.reconstruction().double().t()
    got = head(h)
    assert got.shape == (3, 5, art.vocab_size)
    assert (got.double() - ref).abs().max().item() < LOGIT_ATOL


def test_head_bothModesAgreeAndBiasIsAdded(art):
    torch.manual_seed(1)
    h = torch.randn(4, art.dim)
    bias = torch.randn(art.vocab_size)
    a = A.ASGOutputHead.from_artifact(art, bias=bias)(h)
    b = A.ASGOutputHead.from_artifact(art, materialize=True, bias=bias)(h)
    assert (a - b).abs().max().item() < LOGIT_ATOL
    assert (a - (h @ art.reconstruction().t() + bias)).abs().max().item() < LOGIT_ATOL


@pytest.mark.parametrize("materialize", [False, True])
def test_training_gradientsReachWeightOnly_mappingNeverChanges(art, materialize):
    emb = A.ASGEmbedding.from_artifact(art)
    head = A.ASGOutputHead.tied(emb, materialize=materialize)
    mapping = emb.concept_ids.clone()
    before = emb.weight.detach().clone()
    opt = torch.optim.SGD(list(emb.parameters()) + list(head.parameters()), lr=0.5)
    ids = torch.tensor([[2269, 2388, 2365, 2684]])
    for _ in range(2):
        opt.zero_grad()
        logits = head(emb(ids))
        loss = nn.functional.cross_entropy(logits.view(-1, art.vocab_size), ids.view(-1))
        loss.backward()
        assert emb.weight.grad is not None and emb.weight.grad.abs().sum() > 0
        assert not emb.concept_ids.requires_grad and emb.concept_ids.grad is None
        opt.step()
    assert list(head.parameters()) == [], "a tied head owns no parameter of its own"
    assert torch.equal(emb.concept_ids, mapping) and torch.equal(head.concept_ids, mapping)
    assert not torch.equal(emb.weight, before)
    assert set(emb.state_dict()) == {"weight", "concept_ids"}


def test_shared_paramCountIsKDOverM_andHeadMatches(fx):
    art = A.load(fx / "minilm-shared.safetensors")
    assert art.mode == "shared" and tuple(art.codebook.shape) == (art.k, art.dim // art.m)
    emb = A.ASGEmbedding.from_artifact(art)
    assert sum(p.numel() for p in emb.parameters()) == art.k * art.dim // art.m
    recon = art.reconstruction()
    assert torch.equal(emb(torch.tensor([7]))[0], torch.cat([art.codebook[art.concept_ids[7, i]] for i in range(art.m)]))
    h = torch.randn(2, art.dim)
    for materialize in (False, True):
        got = A.ASGOutputHead.tied(emb, materialize=materialize)(h)
        assert (got.double() - h.double() @ recon.double().t()).abs().max().item() < LOGIT_ATOL


def test_decoder_sectionsLoadSeparately(fx):
    path = fx / "minilm-decoder.safetensors"
    with pytest.raises(A.ArtifactError, match="sections"):
        A.load(path)
    inp, out = A.load(path, "input"), A.load(path, "output")
    assert inp.manifest["source"]["tensor"] == WORD
    assert out.manifest["source"]["tensor"] == "lm_head.weight"
    assert not torch.equal(inp.codebook, out.codebook)
    with pytest.raises(A.ArtifactError, match="single layout"):
        A.load(fx / "minilm-asg.safetensors", "input")


class TinyHfModel(nn.Module):
    """The duck-typed surface of a Hugging Face model, with the output layer tied to the input embedding."""

    def __init__(self, table, tied=True):
        super().__init__()
        self.embed = nn.Embedding.from_pretrained(table.clone(), freeze=False)
        self.lm_head = nn.Linear(table.shape[1], table.shape[0], bias=True)
        if tied:
            self.lm_head.weight = self.embed.weight

    def get_input_embeddings(self):
        return self.embed

    def set_input_embeddings(self, m):
        self.embed = m

    def get_output_embeddings(self):
        return self.lm_head

    def set_output_embeddings(self, m):
        self.lm_head = m

    def forward(self, ids):
        return self.lm_head(torch.tanh(self.embed(ids)))


def test_replaceEmbeddings_tiedModel_bothLayersBecomeAsg(fx, art, table):
    model = A.replace_embeddings(TinyHfModel(table), fx / "minilm-asg.safetensors")
    assert isinstance(model.embed, A.ASGEmbedding) and isinstance(model.lm_head, A.ASGOutputHead)
    ids = torch.tensor([[101, 2269, 102]])
    h = torch.tanh(art.reconstruction()[ids])
    ref = h.double() @ art.reconstruction().double().t() + model.lm_head.bias.double()
    assert (model(ids).double() - ref).abs().max().item() < LOGIT_ATOL
    assert sum(p.numel() for p in model.parameters()) == art.k * art.dim + art.vocab_size  # E' + kept bias


def test_replaceEmbeddings_decoderFile_untiedHeadFromOutputSection(fx, table):
    model = A.replace_embeddings(TinyHfModel(table, tied=False), str(fx / "minilm-decoder.safetensors"))
    out = A.load(fx / "minilm-decoder.safetensors", "output")
    assert model.lm_head._tied is None and torch.equal(model.lm_head.weight.detach(), out.codebook)
    with pytest.raises(A.ArtifactError, match="input embedding"):
        A.replace_embeddings(TinyHfModel(table[:100]), fx / "minilm-asg.safetensors")


def test_load_tamperedFile_refused(fx, tmp_path):
    src = fx / "minilm-asg.safetensors"
    bad = tmp_path / "tampered.safetensors"
    shutil.copy(src, bad)
    f = A.SafetensorsFile(bad)
    offset = f._start + f.tensors["codebook"]["data_offsets"][0] + 100
    del f
    with open(bad, "r+b") as fh:
        fh.seek(offset)
        b = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([b[0] ^ 0x01]))
    with pytest.raises(A.ArtifactError, match="SHA-256"):
        A.load(bad)


def test_load_notAnExport_namesAsgExport(fx):
    with pytest.raises(A.ArtifactError, match="asg export"):
        A.load(fx / "model" / "model.safetensors")


def test_load_artifactDirectory_parquetNeedsPyarrow(fx, art):
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(A.ArtifactError, match="asg export"):
            A.load(fx / "minilm-asg")
        return
    d = A.load(fx / "minilm-asg")
    assert torch.equal(d.codebook, art.codebook) and torch.equal(d.concept_ids, art.concept_ids)


def test_load_directoryWithoutSuccess_refused(fx, tmp_path):
    d = tmp_path / "uncommitted"
    shutil.copytree(fx / "minilm-asg", d)
    (d / "_SUCCESS").unlink()
    with pytest.raises(A.ArtifactError, match="_SUCCESS"):
        A.load(d)


def test_metadataManifestIsTheArtifactsManifest(fx, art):
    with open(fx / "minilm-asg" / "manifest.json") as fh:
        on_disk = json.load(fh)
    assert art.manifest["digests"] == on_disk["digests"]
    assert art.manifest["source"]["sha256"] == on_disk["source"]["sha256"]


def test_head_factoredBackwardEqualsMaterializedBackward(art):
    torch.manual_seed(2)
    h = torch.randn(6, art.dim, requires_grad=True)
    g = torch.randn(6, art.vocab_size)
    grads = []
    for materialize in (False, True):
        head = A.ASGOutputHead.from_artifact(art, materialize=materialize)
        h.grad = None
        (head(h) * g).sum().backward()
        grads.append((head.weight.grad.clone(), h.grad.clone()))
    # Sums of ~V*m/rows = 119 (weight) and 30522 (hidden) products of N(0,1) terms: float32 keeps ~1e-7 relative.
    for a, b in zip(*grads):
        assert (a - b).abs().max().item() <= 1e-5 * b.abs().max().item()
