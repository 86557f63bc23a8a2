"""edge.generate on a small Llama-style decoder exported with a KV-cache
(scripts/export_decoders.py tiny-llama): greedy tokens match PyTorch's, one
prompt and a batch; sampling is seeded; stop tokens and errors."""

import os
import subprocess
import sys
from pathlib import Path

import json
import pytest

import edge

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
pytestmark = pytest.mark.skipif(
    not os.environ.get("EDGE_COMPILE"),
    reason="the compiler is not built (run these tests through ctest)")
NEW_TOKENS = 16


@pytest.fixture(scope="module")
def decoder(tmp_path_factory):
    work = tmp_path_factory.mktemp("decoder")
    subprocess.run([sys.executable, str(SCRIPTS / "export_decoders.py"), str(work),
                    "--model", "tiny-llama", "--new-tokens", str(NEW_TOKENS)],
                   check=True)
    library = work / "tiny-llama.so"
    edge.compile(work / "tiny-llama.onnx", library, extra_args=[
        "--dim=batch<=4", "--dim=seq<=16", "--dim=past<=32", "--dim=total<=48"])
    reference = json.loads((work / "tiny-llama.reference.json").read_text())
    return edge.load(library), reference


def test_greedy_matches_pytorch(decoder):
    model, reference = decoder
    result = edge.generate(model, reference["prompts"][0],
                           max_new_tokens=NEW_TOKENS)
    assert result["tokens"] == reference["batch_1"][0]
    assert result["finish_reasons"] == "length"
    assert result["sampling"] == "greedy"
    assert result["stats"]["prefill_tokens"] == len(reference["prompts"][0])
    assert result["stats"]["decode_tokens"] == NEW_TOKENS - 1


def test_batch_and_continuous_batching_match_pytorch(decoder):
    model, reference = decoder
    batched = edge.generate(model, reference["prompts"], max_new_tokens=NEW_TOKENS)
    assert batched["tokens"] == reference["batch_4"]
    # Two at a time: the last two join when the first two end.
    joined = edge.generate(model, reference["prompts"], max_new_tokens=NEW_TOKENS,
                           max_batch=2)
    assert joined["tokens"] == reference["batch_4"]


def test_sampling_is_seeded(decoder):
    model, reference = decoder
    prompt = reference["prompts"][1]
    options = dict(max_new_tokens=NEW_TOKENS, temperature=1.5, top_k=20, top_p=0.9)
    first = edge.generate(model, prompt, seed=3, **options)
    assert edge.generate(model, prompt, seed=3, **options)["tokens"] == first["tokens"]
    others = [edge.generate(model, prompt, seed=s, **options)["tokens"]
              for s in range(4, 8)]
    assert any(tokens != first["tokens"] for tokens in others)
    assert all(0 <= t < 128 for t in first["tokens"])
    assert first["sampling"].startswith("temperature 1.5, top_k 20, top_p 0.9")
    # One candidate is greedy.
    assert edge.generate(model, prompt, max_new_tokens=NEW_TOKENS, temperature=1.0,
                         top_k=1, seed=5)["tokens"] == edge.generate(
        model, prompt, max_new_tokens=NEW_TOKENS)["tokens"]


def test_stop_token_ends_a_sequence(decoder):
    model, reference = decoder
    expected = reference["batch_1"][0]
    stop = expected[3]
    result = edge.generate(model, reference["prompts"][0],
                           max_new_tokens=NEW_TOKENS, stop_tokens=[stop])
    assert result["tokens"] == expected[:expected.index(stop) + 1]
    assert result["finish_reasons"] == "stop"


def test_errors(decoder, fake_model_path):
    model, reference = decoder
    with pytest.raises(ValueError, match="a prompt needs 1 to 16 tokens, not 17"):
        edge.generate(model, [1] * 17)
    with pytest.raises(ValueError, match="outside the vocabulary of 128"):
        edge.generate(model, [1, 500])
    with pytest.raises(ValueError, match="temperature at least 0"):
        edge.generate(model, [1, 2], temperature=-1.0)
    with pytest.raises(edge.Error, match="needs inputs 'input_ids' and "
                                         "'attention_mask' and an output 'logits'"):
        edge.generate(fake_model_path, [1, 2])


def test_context_bound_ends_a_sequence(decoder):
    model, _ = decoder
    # Compiled with past <= 32: a step reads at most 32 past positions, so a
    # 16-token prompt gets its first token and 17 more.
    result = edge.generate(model, list(range(1, 17)), max_new_tokens=64)
    assert result["finish_reasons"] == "context"
    assert len(result["tokens"]) == 18
