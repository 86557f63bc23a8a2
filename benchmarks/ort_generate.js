// Greedy generation with ONNX Runtime (CPU) running a decoder exported with
// a KV-cache (scripts/export_decoders.py) with its own past/present loop,
// the peer of edge-generate for benchmarks/llm_benchmark.py:
//   node ort_generate.js MODEL.onnx THREADS PROMPT_IDS NEW_TOKENS KV_HEADS HEAD_DIM
// PROMPT_IDS is comma-separated; every past is [1, KV_HEADS, past, HEAD_DIM]. The prefill reads the prompt with an empty
// past; each decode step feeds the previous step's present outputs back as
// the past, as ORT users (and ORT GenAI without its buffer sharing) do.
// Prints one JSON line: tokens, prefill_ms (session warm: the second
// prefill's time), decode_ms (the decode steps after it) and decode_steps.
'use strict';
const ort = require('onnxruntime-node');

function argmaxLast(logits) {
  const [, seq, vocab] = logits.dims;
  const data = logits.data;
  const offset = (seq - 1) * vocab;
  let best = 0;
  for (let v = 1; v < vocab; ++v)
    if (data[offset + v] > data[offset + best]) best = v;
  return best;
}

// Only the inputs the model declares: models in ONNX Runtime GenAI's form
// take no position_ids (their attention derives positions from the mask).
function keepDeclared(session, feeds) {
  return Object.fromEntries(
    Object.entries(feeds).filter(([name]) => session.inputNames.includes(name)));
}

async function generate(session, pastNames, heads, dim, prompt, newTokens) {
  const int64 = (values, dims) =>
    new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
  let feeds = {
    input_ids: int64(prompt, [1, prompt.length]),
    attention_mask: int64(prompt.map(() => 1), [1, prompt.length]),
    position_ids: int64(prompt.map((_, i) => i), [1, prompt.length]),
  };
  pastNames.forEach((name) => {
    feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, dim]);
  });
  const tokens = [];
  let length = prompt.length;
  const start = process.hrtime.bigint();
  let prefillEnd = start;
  for (let step = 0; step < newTokens; ++step) {
    const outputs = await session.run(keepDeclared(session, feeds));
    if (step === 0) prefillEnd = process.hrtime.bigint();
    const token = argmaxLast(outputs.logits);
    tokens.push(token);
    const next = {
      input_ids: int64([token], [1, 1]),
      attention_mask: int64(new Array(length + 1).fill(1), [1, length + 1]),
      position_ids: int64([length], [1, 1]),
    };
    pastNames.forEach((name) => {
      next[name] = outputs[name.replace('past_key_values', 'present')];
    });
    feeds = next;
    ++length;
  }
  const end = process.hrtime.bigint();
  return {
    tokens,
    prefill_ms: Number(prefillEnd - start) / 1e6,
    decode_ms: Number(end - prefillEnd) / 1e6,
    decode_steps: newTokens - 1,
  };
}

async function main() {
  const [model, threads, promptText, newTokens, heads, dim] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // A QDQ model's DequantizeLinear and MatMul are fused into MatMulNBits
    // that computes in f32, as edge does, rather than with the activations
    // quantized to int8 (level 4, the default: 5% faster prefill, 15%
    // faster decode, other tokens). MatMulNBits nodes of the model keep
    // their own accuracy_level.
    extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
  });
  const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values'));
  const prompt = promptText.split(',').map(Number);
  // The first generation warms the session up; the second is measured.
  await generate(session, pastNames, Number(heads), Number(dim), prompt, 2);
  const result = await generate(session, pastNames, Number(heads), Number(dim), prompt,
                              Number(newTokens));
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(`ort_generate: ${error.message}`);
  process.exit(1);
});
