// Runs one ONNX model once with ONNX Runtime (CPU) and writes its outputs,
// for checks that compare edge with ONNX Runtime's own kernels
// (scripts/check_contrib_ops.py --ort):
//   node ort_outputs.js MODEL.onnx SPEC.json OUT_DIR [OPTIMIZATION]
// SPEC.json lists the inputs: [{"name", "type": "float32", "int64",
// "int32", "int8", "uint8" or "bool", "shape", "file"}], little-endian raw
// data. Each output is written to
// OUT_DIR/NAME.bin with OUT_DIR/outputs.json giving its type and shape.
// OPTIMIZATION is ONNX Runtime's graph optimization level ("all" by
// default; "disabled" runs each node by its definition, where a fusion
// would change the numbers: DequantizeLinear and MatMul fused into
// MatMulNBits quantize the activations).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const ARRAYS = {
  float32: Float32Array, int64: BigInt64Array, int32: Int32Array,
  int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

async function main() {
  const [model, spec, outDir, optimization = 'all'] = process.argv.slice(2);
  const feeds = {};
  for (const input of JSON.parse(fs.readFileSync(spec, 'utf8'))) {
    const bytes = fs.readFileSync(input.file);
    const Array = ARRAYS[input.type];
    const copy = new Uint8Array(bytes); // aligned for the typed array
    const data = new Array(copy.buffer, 0, copy.length / Array.BYTES_PER_ELEMENT);
    feeds[input.name] = new ort.Tensor(input.type, data, input.shape);
  }
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    graphOptimizationLevel: optimization,
  });
  const outputs = await session.run(feeds);
  const described = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    const file = path.join(outDir, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.bin');
    fs.writeFileSync(file, Buffer.from(tensor.data.buffer, tensor.data.byteOffset,
                                       tensor.data.byteLength));
    described[name] = { type: tensor.type, shape: tensor.dims, file };
  }
  fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(described));
}

main().catch((error) => {
  console.error(`ort_outputs: ${error.message}`);
  process.exit(1);
});
