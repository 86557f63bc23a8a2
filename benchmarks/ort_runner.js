// Runs one ONNX model with ONNX Runtime (CPU) the way edge-run runs an edge
// library, for benchmarks/run_benchmarks.py:
//   node ort_runner.js MODEL.onnx THREADS RUNS INPUT.json
// INPUT.json lists the inputs: [{"name", "shape", "file"}] with float32
// little-endian raw data. Prints one JSON line: load_first_ms (session
// creation plus the first run), times_ms (RUNS timed runs after it) and
// max_rss_kb.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, threads, runs, inputSpec] = process.argv.slice(2);
  const feeds = {};
  for (const input of JSON.parse(fs.readFileSync(inputSpec, 'utf8'))) {
    const bytes = fs.readFileSync(input.file);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    feeds[input.name] = new ort.Tensor('float32', data, input.shape);
  }
  const start = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  await session.run(feeds);
  const loadFirst = Number(process.hrtime.bigint() - start) / 1e6;
  const times = [];
  for (let i = 0; i < Number(runs); ++i) {
    const t = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(JSON.stringify({
    load_first_ms: loadFirst,
    times_ms: times,
    max_rss_kb: process.resourceUsage().maxRSS,
  }));
}

main().catch((error) => {
  console.error(`ort_runner: ${error.message}`);
  process.exit(1);
});
