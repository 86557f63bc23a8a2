#!/usr/bin/python3
"""Exports two small decoder-only language models to ONNX with a KV-cache, as Optimum does.

Both take `input_ids`, `attention_mask`, `position_ids` and `past_key_values.N.key|value`
([batch, kv_heads, past_len, head_dim]) and return `logits` and `present.N.key|value`
([batch, kv_heads, past_len + seq_len, head_dim]); one graph serves the prefill (seq_len =
prompt) and every decode step (seq_len = 1). The weights are random (torch.manual_seed): no
model hub is reachable, and random weights exercise the same code.

- gpt2: learned positions, LayerNorm, GELU (tanh) MLP, fused QKV, a head tied to the token
  embedding.
- llama: rotary positions (RoPE), RMSNorm, SwiGLU MLP, grouped-query attention (fewer KV
  heads, repeated with expand + reshape as Hugging Face's repeat_kv exports), untied head.

Next to each model it writes the state dict (NAME.pt) and NAME.reference.json: greedy
continuations computed with the cache, for one prompt and for a batch of four prompts of
different lengths (left-padded), which generation must reproduce token by token.

Run it with Debian's /usr/bin/python3 (python3-torch, python3-onnx).
"""

import argparse
import json
import math
import sys
from pathlib import Path
from typing import List, Tuple

import torch
from torch import nn

DEFAULT_OPSET = 17  # the newest opset torch 1.13's exporter supports


class Config:
    def __init__(self, kind: str, layers: int, hidden: int, heads: int, kv_heads: int,
                 vocab: int, ffn: int, max_positions: int) -> None:
        self.kind, self.layers, self.hidden, self.heads = kind, layers, hidden, heads
        self.kv_heads, self.vocab, self.ffn = kv_heads, vocab, ffn
        self.max_positions = max_positions
        self.head_dim = hidden // heads


def additive_mask(attention_mask: torch.Tensor, seq_len: int, past_len: int,
                  dtype: torch.dtype) -> torch.Tensor:
    """[batch, 1, seq, past + seq]: 0 where query i may see key j (j <= past + i and the key
    is not padding), the most negative float elsewhere."""
    total = past_len + seq_len
    query = torch.arange(seq_len).unsqueeze(1) + past_len
    key = torch.arange(total).unsqueeze(0)
    allowed = (key <= query).unsqueeze(0).unsqueeze(0) & attention_mask[:, None, None, :].bool()
    return torch.where(allowed, torch.zeros((), dtype=dtype),
                       torch.full((), torch.finfo(dtype).min, dtype=dtype))


class Attention(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        c = config
        if c.kind == "gpt2":
            self.qkv = nn.Linear(c.hidden, 3 * c.hidden)
        else:
            self.q = nn.Linear(c.hidden, c.heads * c.head_dim, bias=False)
            self.k = nn.Linear(c.hidden, c.kv_heads * c.head_dim, bias=False)
            self.v = nn.Linear(c.hidden, c.kv_heads * c.head_dim, bias=False)
        self.out = nn.Linear(c.hidden, c.hidden, bias=c.kind == "gpt2")

    def forward(self, x, mask, cos, sin, past_key, past_value):
        c = self.config
        batch, seq_len, _ = x.shape
        if c.kind == "gpt2":
            q, k, v = self.qkv(x).split(c.hidden, dim=2)
        else:
            q, k, v = self.q(x), self.k(x), self.v(x)
        q = q.view(batch, seq_len, c.heads, c.head_dim).transpose(1, 2)
        k = k.view(batch, seq_len, c.kv_heads, c.head_dim).transpose(1, 2)
        v = v.view(batch, seq_len, c.kv_heads, c.head_dim).transpose(1, 2)
        if c.kind == "llama":
            q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        key = torch.cat([past_key, k], dim=2)
        value = torch.cat([past_value, v], dim=2)
        present = (key, value)
        if c.kv_heads != c.heads:
            key, value = repeat_kv(key, c.heads // c.kv_heads), repeat_kv(value, c.heads // c.kv_heads)
        scores = torch.matmul(q, key.transpose(2, 3)) / math.sqrt(c.head_dim) + mask
        context = torch.matmul(torch.softmax(scores, dim=-1), value)
        context = context.transpose(1, 2).reshape(batch, seq_len, c.hidden)
        return self.out(context), present


def repeat_kv(x: torch.Tensor, times: int) -> torch.Tensor:
    """[b, kv, t, d] -> [b, kv * times, t, d], as Hugging Face's repeat_kv (expand, reshape)."""
    batch, kv_heads, length, head_dim = x.shape
    x = x[:, :, None, :, :].expand(batch, kv_heads, times, length, head_dim)
    return x.reshape(batch, kv_heads * times, length, head_dim)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    return x * cos + rotate_half(x) * sin


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


class Block(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        c = config
        self.kind = c.kind
        norm = (lambda: nn.LayerNorm(c.hidden)) if c.kind == "gpt2" else (lambda: RMSNorm(c.hidden))
        self.norm1, self.norm2 = norm(), norm()
        self.attention = Attention(c)
        if c.kind == "gpt2":
            self.fc, self.proj = nn.Linear(c.hidden, c.ffn), nn.Linear(c.ffn, c.hidden)
        else:
            self.gate = nn.Linear(c.hidden, c.ffn, bias=False)
            self.up = nn.Linear(c.hidden, c.ffn, bias=False)
            self.down = nn.Linear(c.ffn, c.hidden, bias=False)

    def forward(self, x, mask, cos, sin, past_key, past_value):
        attended, present = self.attention(self.norm1(x), mask, cos, sin, past_key, past_value)
        x = x + attended
        h = self.norm2(x)
        if self.kind == "gpt2":
            h = self.proj(nn.functional.gelu(self.fc(h), approximate="tanh"))
        else:
            h = self.down(nn.functional.silu(self.gate(h)) * self.up(h))
        return x + h, present


class Decoder(nn.Module):
    def __init__(self, config: Config, weight_scale: float = 6.0) -> None:
        super().__init__()
        c = self.config = config
        self.embed = nn.Embedding(c.vocab, c.hidden)
        if c.kind == "gpt2":
            self.positions = nn.Embedding(c.max_positions, c.hidden)
            self.final_norm = nn.LayerNorm(c.hidden)
        else:
            inv_freq = 1.0 / (10000 ** (torch.arange(0, c.head_dim, 2).float() / c.head_dim))
            self.register_buffer("inv_freq", inv_freq)
            self.final_norm = RMSNorm(c.hidden)
            self.head = nn.Linear(c.hidden, c.vocab, bias=False)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        # With torch's default initialization the residual stream stays close to the token's
        # own N(0, 1) embedding, and greedy decoding repeats one token forever: a weak
        # reference. Linear weights 6x wider let the blocks decide the next token, but
        # make the network chaotic: a perturbation of the weights (quantization) changes
        # its logits far more than a trained model's. --weight-scale 1 keeps torch's.
        with torch.no_grad():
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    module.weight.mul_(weight_scale)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        c = self.config
        x = self.embed(input_ids)
        cos = sin = None
        if c.kind == "gpt2":
            x = x + self.positions(position_ids)
        else:
            angles = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
            angles = torch.cat((angles, angles), dim=-1)[:, None, :, :]
            cos, sin = angles.cos(), angles.sin()
        seq_len, past_len = input_ids.shape[1], past[0].shape[2]
        mask = additive_mask(attention_mask, seq_len, past_len, x.dtype)
        presents: List[torch.Tensor] = []
        for i, block in enumerate(self.blocks):
            x, (key, value) = block(x, mask, cos, sin, past[2 * i], past[2 * i + 1])
            presents += [key, value]
        x = self.final_norm(x)
        logits = x @ self.embed.weight.t() if c.kind == "gpt2" else self.head(x)
        return (logits, *presents)


CONFIGS = {
    "gpt2": Config("gpt2", layers=6, hidden=512, heads=8, kv_heads=8, vocab=2048, ffn=2048,
                   max_positions=1024),
    "llama": Config("llama", layers=6, hidden=512, heads=8, kv_heads=2, vocab=2048, ffn=1408,
                    max_positions=1024),
    # Small enough for unit tests (python/tests/test_generate.py).
    "tiny-llama": Config("llama", layers=2, hidden=64, heads=4, kv_heads=2, vocab=128,
                         ffn=176, max_positions=256),
}


def io_names(config: Config) -> Tuple[List[str], List[str]]:
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    for i in range(config.layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs, outputs


def export(kind: str, path: Path, opset: int, weight_scale: float) -> None:
    torch.manual_seed(0)
    config = CONFIGS[kind]
    model = Decoder(config, weight_scale).eval()
    batch, seq_len, past_len = 2, 3, 4
    input_ids = torch.randint(0, config.vocab, (batch, seq_len))
    attention_mask = torch.ones(batch, past_len + seq_len, dtype=torch.int64)
    position_ids = torch.arange(past_len, past_len + seq_len).unsqueeze(0).expand(batch, -1)
    past = [torch.randn(batch, config.kv_heads, past_len, config.head_dim)
            for _ in range(2 * config.layers)]
    inputs, outputs = io_names(config)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}
    for name in inputs[3:]:
        axes[name] = {0: "batch", 2: "past"}
    for name in outputs[1:]:
        axes[name] = {0: "batch", 2: "total"}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (input_ids, attention_mask, position_ids, *past), str(path),
                      input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=opset)
    torch.save(model.state_dict(), path.with_suffix(".pt"))


def greedy(model: Decoder, prompts: List[List[int]], new_tokens: int) -> List[List[int]]:
    """Greedy generation with the KV-cache, as a runtime drives the exported graph: the
    prompts are left-padded into one batch (attention_mask 0 on padding, positions counted
    from each prompt's first token), one prefill, then one step per token."""
    c = model.config
    batch, longest = len(prompts), max(len(p) for p in prompts)
    ids = torch.zeros(batch, longest, dtype=torch.int64)
    mask = torch.zeros(batch, longest, dtype=torch.int64)
    for row, prompt in enumerate(prompts):
        ids[row, longest - len(prompt):] = torch.tensor(prompt)
        mask[row, longest - len(prompt):] = 1
    past = [torch.zeros(batch, c.kv_heads, 0, c.head_dim) for _ in range(2 * c.layers)]
    generated: List[List[int]] = [[] for _ in prompts]
    with torch.no_grad():
        for _ in range(new_tokens):
            positions = (mask.cumsum(1) - 1).clamp(min=0)[:, -ids.shape[1]:]
            logits, *past = model(ids, mask, positions, *past)
            ids = logits[:, -1, :].argmax(-1, keepdim=True)
            for row, token in enumerate(ids[:, 0].tolist()):
                generated[row].append(token)
            mask = torch.cat([mask, torch.ones(batch, 1, dtype=torch.int64)], dim=1)
    return generated


def write_reference(kind: str, path: Path, new_tokens: int) -> None:
    """Greedy continuations of fixed prompts, alone and as one batch of different lengths,
    the token ids generation must reproduce (JSON)."""
    torch.manual_seed(0)
    model = Decoder(CONFIGS[kind]).eval()
    model.load_state_dict(torch.load(path.with_suffix(".pt")))
    generator = torch.Generator().manual_seed(7)
    prompts = [torch.randint(0, model.config.vocab, (n,), generator=generator).tolist()
               for n in (5, 11, 2, 8)]
    alone = greedy(model, prompts[:1], new_tokens)
    batched = greedy(model, prompts, new_tokens)
    if batched[0] != alone[0]:
        raise SystemExit(f"{kind}: the batched continuation of prompt 0 differs from its "
                         "own: the padding leaks into attention")
    path.with_suffix(".reference.json").write_text(json.dumps(
        {"new_tokens": new_tokens, "prompts": prompts, "batch_1": alone, "batch_4": batched},
        indent=1) + "\n")


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--model", choices=sorted(CONFIGS), action="append",
                        help="export only these (default: all)")
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET)
    parser.add_argument("--new-tokens", type=int, default=64,
                        help="greedy tokens per prompt in the reference (default 64)")
    parser.add_argument("--weight-scale", type=float, default=6.0,
                        help="factor on torch's initial linear weights (default 6: "
                        "varied greedy tokens; 1: a network as insensitive to weight "
                        "perturbations as a trained one)")
    args = parser.parse_args(argv)
    for kind in args.model or sorted(CONFIGS):
        path = args.out_dir / f"{kind}.onnx"
        export(kind, path, args.opset, args.weight_scale)
        write_reference(kind, path, args.new_tokens)
        print(f"{kind}: {path}, reference {path.with_suffix('.reference.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
