//===- Passes.td - edge transformation passes --------------*- tablegen -*-===//

#ifndef EDGE_TRANSFORMS_PASSES_TD
#define EDGE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CheckIndicesPass : Pass<"edge-check-indices", "::mlir::ModuleOp"> {
  let summary = "Check the indices that ops read from run-time data";
  let description = [{
    Gather, gather_elements, gather_nd, scatter_elements and scatter_nd read
    or write at positions their indices give. Indices known at compile time
    are checked here (an index out of range is an error at the op); indices
    computed at run time go through an `edge.check_indices` inserted in
    front of the op, which makes them safe and, with `report`, tells the
    runtime which index was out of range, so the run fails naming the node
    instead of reading outside a buffer. Indices into a dimension of
    dynamic size, constant ones too, are checked at run time against the
    size (`tensor.dim`). Indexing a dimension of size 0 is an
    error here. Each check gets a site number; edge-emit-abi-metadata lists
    the sites' descriptions for the runtime, and the pass declares
    `edge_rt_index_out_of_range(i32 site, i64 index, i64 bound)`.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"true",
           "Report indices out of range to the runtime (CPU code); without, "
           "they are only replaced by 0 (GPU kernels cannot call the "
           "runtime)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EmitABIMetadataPass : Pass<"edge-emit-abi-metadata", "::mlir::ModuleOp"> {
  let summary = "Describe the model's inputs and outputs for the runtime";
  let description = [{
    Runs on tensors, before bufferization. Finds the model function (the
    only public `func.func`, or the one named by `entry`), tags it
    `edge.entry`, marks its arguments read-only for bufferization
    (`bufferization.writable = false`: inputs belong to the caller) and
    emits the global `edge_generated_metadata`: the text the runtime parses
    to answer the ABI's input/output queries (names from the `edge.name`
    argument/result attributes, ONNX element type codes and static shapes);
    each input argument is also tagged `edge.input`, which survives
    bufferization.
    For a partitioned model (its function tagged `edge.schedule` by
    edge-partition) the text adds the devices, intermediate buffers and
    steps of the host schedule; each called partition is tagged
    `edge.entry = N` instead, and the schedule function is erased. See
    docs/runtime.md for the format.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Name of the model function (default: the only public function)">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def EmitABIEntryPass : Pass<"edge-emit-abi-entry", "::mlir::ModuleOp"> {
  let summary = "Emit the runtime's entry point around the lowered model";
  let description = [{
    Runs on the LLVM dialect, after the model function was lowered with the
    bare-pointer calling convention and its results turned into trailing
    out-parameters. Emits `void edge_generated_entry(int32_t partition,
    void **buffers)`: a switch over the functions tagged `edge.entry = N`
    (one, N = 0, for an unpartitioned model) whose case N loads one pointer
    per parameter from `buffers` (inputs, then outputs) and calls function
    N. Also emits `int64_t edge_generated_workspace_bytes`: the largest
    `edge.arena_bytes` (edge-plan-memory) of those functions, 0 without.
    With `device-target` (a GPU model), emits the string
    `edge_generated_device_target` too: the runtime checks at instance
    creation that the device's driver and the embedded kernels loaded.
    With `cpu-requirement` (`NAME FEATURE...`: the CPU target the code was
    compiled for and its features, by LLVM's names), emits the string
    `edge_generated_cpu_requirement`: the runtime refuses to create an
    instance on a CPU that lacks one of the features, naming them, instead
    of dying on an illegal instruction.
  }];
  let options = [
    Option<"deviceTarget", "device-target", "std::string", /*default=*/"\"\"",
           "The GPU the model's kernels run on (nvidia:sm_90, amd:gfx942)">,
    Option<"cpuRequirement", "cpu-requirement", "std::string",
           /*default=*/"\"\"",
           "The CPU target of the code and the features it needs "
           "(x86-64-v3 avx avx2 fma ...)">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def DistinctResultsPass : Pass<"edge-distinct-results", "::mlir::func::FuncOp"> {
  let summary = "Give every returned tensor its own buffer";
  let description = [{
    A model may list one value as several outputs (`y = Relu(x)` and
    `z = Identity(y)`, both outputs). Each output is a separate caller
    buffer, so every repeated return operand gets a copy
    (`bufferization.alloc_tensor copy(...)`) before bufferization turns
    results into out-parameters.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def FoldConvBatchNormPass
    : Pass<"edge-fold-conv-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference batch normalization into the convolution";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant weights and statistics is one
    convolution: with `k = scale / sqrt(variance + epsilon)` per output
    channel, `W' = W * k` and `b' = (b - mean) * k + bias`. The batch norm
    disappears from the graph, saving a pass over the activations. Applies
    to f32 only, and only when the convolution has no other user.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def QuantizeWeightsPass
    : Pass<"edge-quantize-weights", "::mlir::func::FuncOp"> {
  let summary = "Matrix products over int8 or int4 weights "
                "(edge.quantized_matmul)";
  let description = [{
    A matrix product whose weights are a constant 2-D matrix becomes
    `edge.quantized_matmul`, which keeps them as 8- or 4-bit integers in
    memory:

    - Weights that are already quantized (an ONNX DequantizeLinear of
      constant int8 weights, imported as `cast(q) * scale`) whenever the
      scale is the same along each output column (per-tensor, or per
      output channel): the product is the same up to float rounding.
    - With `weights=int8`, f32 constant weights too (`--quantize=
      int8-weights`): symmetric per-output-column quantization,
      `scale[n] = max_k |W[k, n]| / 127`, `q = round(W / scale)`.
    - With `weights=int4` (`--quantize=int4-weights`): symmetric 4-bit
      quantization of each block of `block-size` rows of a column,
      `scale[b, n] = max |W[block b, n]| / 7`, `q = round(W / scale)`; a
      product whose K is no multiple of the block size takes one block
      per column (K even), or keeps f32 weights (K odd).

    Activations stay float.

    Covers `edge.matmul` with a 2-D `rhs` (transposed or not) and
    `edge.gemm` without `trans_a` (`alpha` joins the scales, `beta * C`
    becomes an add).
  }];
  let options = [
    Option<"weights", "weights", "::mlir::edge::WeightQuantization",
           /*default=*/"::mlir::edge::WeightQuantization::none",
           "Also quantize f32 constant weights", [{::llvm::cl::values(
             clEnumValN(::mlir::edge::WeightQuantization::none, "none",
                        "keep f32 weights f32"),
             clEnumValN(::mlir::edge::WeightQuantization::int8, "int8",
                        "int8, a scale per output column"),
             clEnumValN(::mlir::edge::WeightQuantization::int4, "int4",
                        "int4, a scale per block of rows of a column"))}]>,
    Option<"blockSize", "block-size", "unsigned", /*default=*/"32",
           "Rows of a column that share an int4 scale (even)">,
  ];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def EmptyArgumentBuffersPass
    : Pass<"edge-empty-argument-buffers", "::mlir::func::FuncOp"> {
  let summary = "Pass zero-element buffers as memref<0xT>";
  let description = [{
    The bare-pointer calling convention of `convert-func-to-llvm` leaves a
    function unconverted when an argument's memref has zero elements but a
    shape like `3x0` (its strides do not pass the bare-pointer check). Such
    a buffer holds no data, so its argument becomes `memref<0xT>` and the
    body uses a local zero-size `memref.alloca` of the original type
    instead; nothing reads or writes either.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def MemrefCopyToLinalgPass : Pass<"edge-memref-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    Bufferization expresses copies (padding, out-parameters) as
    `memref.copy`, which LLVM lowering turns into a call to the MLIR runner
    library's `memrefCopy` whenever a side is strided. Model libraries do not
    link that library, so copies become `linalg.copy` and then plain loops
    (LLVM recognizes the contiguous ones as memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ExpandBF16ConversionsPass
    : Pass<"edge-expand-bf16-conversions", "::mlir::func::FuncOp"> {
  let summary = "Turn bfloat16 conversions into integer code";
  let description = [{
    `arith.truncf` to bf16 and `arith.extf` from bf16 become integer
    operations on the f32 bits (round to nearest even, NaN kept quiet), for
    scalars and vectors. LLVM would otherwise call `__truncsfbf2` on a CPU
    without bf16 instructions, a function neither Debian 12's libgcc nor
    its AArch64 cross libgcc has. Only these two ops change (upstream's
    `arith-expand` would also rewrite every `maximumf`/`minimumf`); run
    `arith-emulate-unsupported-floats` first so that bf16 arithmetic is
    f32 arithmetic between such conversions.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ApproximateMathPass
    : Pass<"edge-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Compute tanh, erf and exp with polynomials instead of libm";
  let description = [{
    Rewrites the math functions named by `functions` into upstream's
    polynomial approximations (arithmetic, accurate to a few ulp in f32),
    for scalars and vectors. A libm call such as `tanhf` cannot be
    vectorized and costs tens of nanoseconds per element: a GPT-2 MLP's
    tanh-GELU then takes a quarter of a prefill. Run it after the math is in
    f32 (`math-extend-to-supported-types`) and before `convert-math-to-libm`.
    The approximations' `math.fma` become LLVM's fma intrinsic, which
    convert-math-to-libm would make calls to `fmaf`.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "The math ops to approximate, by mnemonic (default: tanh, "
               "erf, exp)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def ReassociateReductionsPass
    : Pass<"edge-reassociate-reductions", "::mlir::func::FuncOp"> {
  let summary = "Let float vector reductions sum in any order";
  let description = [{
    Sets `reassoc` on every float `vector.reduction <add>`: without it LLVM
    sums the lanes one after another (a 64-lane dot product is 64 dependent
    adds), with it in a tree of vector shuffles and adds. The kernels'
    sums (dot products, reductions) are reassociated anyway by their
    tiling; ONNX does not fix an order of summation.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect"];
}

def TransposeToShufflesPass
    : Pass<"edge-transpose-to-shuffles", "::mlir::func::FuncOp"> {
  let summary = "Transpose register tiles in stages of two-source shuffles";
  let description = [{
    A register tile that vectorizes output channels (edge-tile-and-vectorize
    blocks them when the image's rows do not fill vectors) keeps its
    accumulators as rows of pixels, and an NCHW output wants rows of
    channels: the tile ends in a 2-D `vector.transpose`. Lowered element by
    element (upstream's default), a 14x16 transpose costs hundreds of
    extracts and inserts, as much as the multiply-adds of a short
    reduction (a 64-channel 1x1 convolution).

    Here each square block of `lanes` rows and columns is transposed in
    log2(lanes) stages of `vector.shuffle`, each stage exchanging one bit
    of the row index with the same bit of the column index: 64 shuffles
    for 16x16, each one instruction on AVX-512 (vpermt2ps, vshufps,
    vshuff32x4), 24 for 8x8 and 8 for NEON's 4x4. A transpose whose source
    rows are not whole registers of `lanes`, or that has fewer than a
    quarter of `lanes` rows (it would be mostly padding), keeps the default
    lowering; so does a transpose of a broadcast, which folds to splats.
    Rows short of a square are padded with poison and sliced off.

    First the elementwise ops that consume a transpose (the kernel's
    epilogue: an activation, a clamp against splats) move before it
    (upstream's sink patterns), so that they run on the accumulators: 8
    pixels x 32 channels are 16 full registers of channels, where the 32
    rows of 8 pixels after the transpose are 32 half registers.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "Lanes of one vector register (a power of two; edge-compile: "
           "the target's f32 lanes)">,
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::ub::UBDialect"];
}

def FormFusionGroupsPass
    : Pass<"edge-form-fusion-groups", "::mlir::func::FuncOp"> {
  let summary = "Group ops that should become one kernel";
  let description = [{
    Wraps ops into `edge.fusion_group` regions, the unit the code generator
    turns into one kernel and the placer places. Visiting the ops from the
    last to the first, an op joins the group of its users when all of its
    users are in that one group and the rules allow it:

    - elementwise ops chain with each other and with reductions (`softmax`,
      `reduce_*`), so a layer norm (mean, centre, variance, scale, shift)
      or a `sub(x, max) -> exp -> div` chain is one group;
    - a contraction (`conv`, `matmul`, `gemm`, `einsum`) takes the
      elementwise ops after it as its epilogue (bias, activation, residual
      add) when they keep its result's shape; it never absorbs the ops
      before it, and a group holds one contraction;
    - the attention pattern `matmul -> [scale] -> [mask] -> softmax ->
      matmul` (softmax's result the second matmul's left operand) is one
      group with two contractions.

    Data movement (reshape, transpose, slice, concat, gather, pad, pooling)
    ends groups. Only the last op of a group has users outside it, so a
    group has that op's results and replaces it in place. A group of one op
    is left as the op. `kind` records the rule: `attention`, `contraction`,
    `normalization` (reductions with a square root), `reduction` or
    `elementwise`.
  }];
  let dependentDialects = ["::mlir::edge::EdgeDialect"];
}

def InlineFusionGroupsPass
    : Pass<"edge-inline-fusion-groups", "::mlir::func::FuncOp"> {
  let summary = "Replace fusion groups by their bodies";
  let description = [{
    Moves every `edge.fusion_group` body in front of the group and replaces
    the group's results with the yielded values. The CPU lowering runs it
    first: it fuses kernels after lowering to linalg, so the group boundary
    only matters to placement.
  }];
}

def PlaceOnDevicesPass : Pass<"edge-place", "::mlir::ModuleOp"> {
  let summary = "Choose a device for every op by the cost model";
  let description = [{
    Builds the placement problem of the model function (one node per fusion
    group or costed op, plus the graph's inputs and outputs pinned to the
    first device), solves it (lib/Placement/Placer.cpp) and records the
    answer: `edge.device = "NAME"` on every placed op and the device list
    as the module's `edge.devices` attribute (name and kind of each, in
    order; the first device holds the graph's inputs and outputs).
    Constants get no device: each partition keeps its own copy.
  }];
  let options = [
    Option<"devices", "devices", "std::string", /*default=*/"\"host\"",
           "A device description file or comma-separated presets">,
    ListOption<"pins", "pins", "std::string",
               "NODE=DEVICE pairs: ops of ONNX node NODE run on DEVICE">,
    Option<"objective", "objective", "std::string", /*default=*/"\"latency\"",
           "What the placement minimizes: latency (one run) or throughput "
           "(the busiest device or link of a stream of runs)">,
    ListOption<"profileFeedback", "profile-feedback", "std::string",
               "Profiles (edge-run --profile) whose measured partition times "
               "correct the estimates, in order">,
  ];
}

def PartitionPass : Pass<"edge-partition", "::mlir::ModuleOp"> {
  let summary = "Outline each device's work into functions with transfers";
  let description = [{
    Splits the model function, whose ops carry `edge.device` (edge-place),
    into partitions: maximal runs of ops on one device in a topological
    order that keeps each device's ops together. Each partition becomes a
    private function `@<model>_p<N>` tagged `edge.device`, taking the
    values it uses from elsewhere and returning those used elsewhere;
    constants are cloned into every partition that uses them. The model
    function becomes the host schedule: calls in dependency order, with an
    `edge.transfer` wherever a value crosses devices (graph inputs and
    outputs live on the first device). The model function is tagged
    `edge.schedule`. A model that computes nothing (it only forwards its
    inputs) is left as it is.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def PadInPlacePass : Pass<"edge-pad-in-place", "::mlir::func::FuncOp"> {
  let summary = "Pad by filling only the border, the producer writing inside";
  let description = [{
    Runs on tensors, before bufferization. A `tensor.pad` with a uniform
    padding value and static shapes would bufferize into a fill of the
    whole padded buffer and a copy of its source into the interior: every
    interior element written twice and the source read once more. Each
    such pad becomes an empty padded tensor whose border alone is filled
    (one `linalg.fill` per padded side of each dimension; a last
    dimension padded on both sides, in several rows, is one fill of a
    view of rows of the flattened tensor starting at the first row's
    right border, whose first `low + high` columns are each row's right
    border and the next row's left one, adjacent in memory) and whose
    interior receives the source (`tensor.insert_slice`). When the source
    is computed from a `tensor.empty` of its own type through
    destination-passing ops (a tiled kernel's `scf.forall`, linalg ops)
    and reshapes, that empty tensor is replaced by the interior of the
    padded one, so the producer writes its result in place and
    bufferization has nothing left to copy. Uses after the pad of the
    producer's result, of the source, or of another reshape of them read
    the same view of the padded tensor's interior instead (their values
    are the same), so that no later read of the result conflicts with the
    insertion into the padded tensor.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def WriteIntoDestinationsPass
    : Pass<"edge-write-into-destinations", "::mlir::func::FuncOp"> {
  let summary = "Write whole vectors into their destination, not over a "
                "constant";
  let description = [{
    Runs on tensors, before bufferization. A `vector.transfer_write` that
    overwrites the whole of a constant's slice, its result inserted into
    another tensor by `tensor.insert_slice` (a tile whose accumulators
    start from a bias of the output's shape: a matrix-vector product's,
    once the initializer's copy has folded away), writes into the slice of
    that destination instead. Its result is the same, since the write
    covers the whole tensor, but bufferization no longer copies the
    read-only constant into a new buffer for it, a heap allocation in
    every tile.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def ConcatInPlacePass : Pass<"edge-concat-in-place", "::mlir::func::FuncOp"> {
  let summary = "Compute each part of a concatenation in its place";
  let description = [{
    Runs on tensors, before bufferization, after `edge-pad-in-place`. A
    concatenation is a chain of `tensor.insert_slice` ops into a
    `tensor.empty`; bufferized as is, each part is computed into a buffer
    of its own and copied into the concatenated buffer. When a part is
    computed from a `tensor.empty` of its own type through
    destination-passing ops (a tiled kernel's `scf.forall`, linalg ops) and
    reshapes, that empty tensor is replaced by the part's slice of the
    concatenation, taken from the concatenation with the parts computed
    before it already inserted, and the insertion moves right after the
    part's producer: bufferization then writes every part in place and has
    nothing to copy. The parts go in the order their producers run; a part
    whose producer starts before the previous part is computed, or whose
    offsets are only known later, is still copied.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def DynamicShapesABIPass
    : Pass<"edge-dynamic-shapes-abi", "::mlir::func::FuncOp"> {
  let summary = "Pass a model's dynamic sizes and outputs through buffers";
  let description = [{
    Runs on linalg on tensors, before bufferization, on a model function
    with dynamic sizes (`edge.dim_bounds`; others are left alone). The
    function gets one more argument, a `memref<Nxi64>` (`edge.shapes`):
    the runtime writes the symbols' values at its start, in the order of
    `edge.dim_bounds`; each symbol's value is read once and clamped to its
    bound with `affine.min` (the runtime checks the bound, the clamp lets
    the memory plan size buffers by it). Each dynamic input becomes a
    one-element buffer argument (a bare pointer in the entry) viewed at its
    run-time sizes with `memref.reinterpret_cast` and
    `bufferization.to_tensor restrict`. Every result becomes an output
    argument after the inputs, written with
    `bufferization.materialize_in_destination` into a dense view at the
    run's sizes, and its sizes are stored after the symbols. Empty tensor
    elimination then lets each output's last kernel write into the
    caller's buffer.

    ```mlir
    func.func @m(%x: memref<1xf32>, %y: memref<1xf32>, %shapes: memref<3xi64>)
    ```
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def PlanMemoryPass : Pass<"edge-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Place a function's intermediate buffers in one arena";
  let description = [{
    Runs on memrefs, after buffer deallocation. Every `memref.alloc` in the
    function's block with an identity layout and integer or float
    elements, freed by one `memref.dealloc` in the same block, lives from
    its allocation to its deallocation. A dynamic size counts at its upper
    bound (ValueBoundsOpInterface: a model's sizes derive from its symbols,
    which edge-dynamic-shapes-abi clamps to their bounds); an unbounded
    buffer stays a run-time allocation. Offsets are assigned
    at compile time, largest buffer first, each at the lowest 64-byte
    aligned offset where it overlaps no buffer live at the same time. The
    buffers become `memref.view`s of one i8 arena allocated at the start
    of the function and freed before its return: one allocation per run
    (the runtime's allocator hands the same block back every run), the
    peak of the live buffers rather than their sum, and memory that an
    earlier kernel left in cache. The function gets `edge.arena_bytes`
    (the arena's size) and `edge.planned_bytes` (the planned buffers'
    total). A function with fewer than two such buffers is left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def FuseAttentionPass : Pass<"edge-fuse-attention", "::mlir::func::FuncOp"> {
  let summary = "Scaled dot-product attention as one CPU kernel over the keys";
  let description = [{
    Runs on edge ops, fusion groups inlined, for CPU code. Finds
    `softmax(Q @ K'^T / c + mask) @ V'` (a scale by division or product by
    a scalar constant, or none; an additive mask [B|1, H|1, S|1, T], or
    none) on f32 tensors of rank 4 with static head sizes, where K' and V'
    are the keys and values or, for grouped-query attention, their heads
    repeated g times (reshape, broadcast, reshape), and replaces it with
    one kernel: an `scf.forall` over the query rows that walks the keys of
    the row's head in tiles of `key-tile` with an online softmax, the
    running maximum and sum rescaling the accumulated row. A tile's keys
    are unrolled and its scores computed as one vector: each key's
    products with the query folded to the tile's width, the folds halved
    pairwise by shuffles (no horizontal reduction per score); `key-tile`
    is a power of two, the CPU pipeline's is the target's f32 lanes. A tile the mask
    hides whole (every value at most -1e30) is skipped once a visible key
    set the maximum, its weights underflowing to 0 anyway. No score
    matrix is written and the repeated heads are never built.

    ```mlir
    %s = edge.matmul %q, %k {transpose_rhs} : (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>) -> tensor<?x8x?x?xf32>
    %d = edge.div %s, %c : (tensor<?x8x?x?xf32>, tensor<f32>) -> tensor<?x8x?x?xf32>
    %a = edge.add %d, %mask : (tensor<?x8x?x?xf32>, tensor<?x1x?x?xf32>) -> tensor<?x8x?x?xf32>
    %p = edge.softmax %a {axis = 3 : i64} : tensor<?x8x?x?xf32>
    %o = edge.matmul %p, %v : (tensor<?x8x?x?xf32>, tensor<?x8x?x64xf32>) -> tensor<?x8x?x64xf32>
    ```
  }];
  let options = [
    Option<"keyTile", "key-tile", "int64_t", /*default=*/"16",
           "keys whose scores one step of the kernel holds (one vector; a "
           "power of two)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def TileAndVectorizePass
    : Pass<"edge-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Register-tile and vectorize multiply-accumulate, pooling and reduction kernels";
  let description = [{
    Runs on linalg on tensors. Every f32 `linalg.generic` whose body is a
    multiply-accumulate (`out + a * b`, the lowering of matmul, gemm,
    einsum and convolution), or a pooling window's reduction (linalg's
    pooling form: inputs (image, window) where the window tensor only
    sizes the reduction loops, and a body `combine(out, in)` with a max,
    min or add), is tiled into register
    blocks and vectorized: the loop feeding the output's last (contiguous)
    dimension becomes the vector dimension (up to `vector-width` lanes),
    and a second output loop that the vector operand does not use (the
    matmul's rows, the convolution's output channels) is unrolled into up
    to `rows` accumulators; every other loop steps by one, the reductions
    innermost. Each step is then a row of broadcast multiply-adds into
    accumulators that `loop-invariant-subset-hoisting` keeps in registers
    across the reduction loops. The output tiles are an `scf.forall` (the
    thread pool's unit of work), the reductions sequential loops inside.
    When the larger of a static kernel's two inputs (of unequal sizes)
    exceeds `cache-bytes`, the tile loops that only the smaller input
    indexes run innermost, so that the larger streams once and the
    threads split it; a kernel with dynamic loops runs its dynamic tile
    loops innermost instead. A kernel whose order changes gets an
    analysis remark naming it. Tile sizes divide the loop sizes, so no tile is partial. A dynamic
    loop is no vector loop; a dynamic row loop (a batch or a sequence
    length, an image width in a blocked kernel), or a static one without
    a divisor of at least half its tile (109, prime: tiles of one row),
    stays whole in the output
    tiles and is split inside each into an `scf.for` over full tiles,
    peeled, then full tiles of half as many rows in the remainder, down to
    one row: every tile has static sizes and the register blocks of a
    static kernel. Such tiles are up to 4 vectors wide (of the output's
    last dimension, or of output channels in a blocked kernel) and
    `rows` / vectors rows high, so that a remainder of one row still has
    independent accumulators. When the
    contiguous dimension would not fill whole vectors (a convolution on a
    7-, 14- or 56-wide image) but the row loop is a multiple of
    `vector-width` and every input it indexes is a constant (weights), the
    row loop is blocked instead: split into blocks of one vector (two when
    at most half of `rows` rows remain, or when a pointwise kernel, whose
    only reduction is over input channels, takes half its rows so that
    each broadcast input element feeds two multiply-adds), the block the
    new innermost loop;
    the output is viewed with that dimension split (a reshape) and the
    constants are packed at compile time with the block innermost, so each
    tile's weights stream contiguously and every lane is used; the
    contiguous dimension then gives the rows. A row loop that is no
    multiple of `vector-width` is padded up to one first when that adds at
    most an eighth to the work (a classifier's 1000 classes: 1008): the
    kernel, the op that initializes its output and its epilogue run over
    the padded loop, the constants they read along it get zeros, and the
    result is sliced back; not when a non-constant input (a residual add)
    reads the loop, which an analysis remark says. A blocked kernel's
    reshaped view is moved past the elementwise ops around it (by
    expanding them).
    The elementwise ops that consume a kernel's result (each the only user
    of the previous one, same shape: bias, activation, residual add) and
    the all-parallel op that initializes its output (a bias broadcast, or
    a `linalg.fill`: zero, a max pool's -inf) are tiled with it, in
    the same `scf.forall`: the accumulators start from the initial values
    in registers and the epilogue runs on them before the tile's one
    write, so no intermediate tensor is written. An input read with a
    stride or dilation (`oh * 2 + kh`) by the accumulator rows is first
    gathered into a tensor indexed by the loops that read it, the vector
    dimension last (for an input the tile broadcasts, the output loop along
    its contiguous dimension), so that the tile reads plain vectors.
    A kernel with no such row loop (every output loop indexes the vector
    operand: a depthwise convolution, a pooling window) takes up to 8 of its next output
    loop's iterations as rows instead, each reading its own input vectors:
    independent accumulators sharing the broadcast weight. An input that
    only the vector loop reads with a stride, at stride 2 (a stride-2
    convolution's rows of output channels share it; a depthwise one's
    rows each read their own), is not gathered: each tile reads twice the
    lanes per input row and keeps the even elements
    (`vector.deinterleave`). Without rows, a kernel read at a larger
    stride along its vector loop is left to the generic loop lowering.
    A constant input that the vector loop reads along another dimension
    than its last (a fully connected layer's [N, K] weight) is stored
    transposed at compile time, so its vectors are contiguous loads. A
    window's max or min is marked `nsz` (either zero may win when -0 meets
    +0, as in ONNX Runtime's pools): x86 then tests NaNs only, not the
    signs of zeros. A reshape is not moved onto the inputs of an
    elementwise op that consumes a kernel, where it would split the
    epilogue from the kernel. A pointwise convolution (1x1, stride 1)
    whose image rows do not fill vectors but whose image does (56x56 for
    16 lanes) is first collapsed, with its bias and epilogue, to one
    pixel loop, which the tile then vectorizes without blocking (not when
    its result is padded: edge-pad-in-place writes it into a strided
    interior); so is one whose output channels cannot be blocked. A
    vector loop whose largest divisor up to the vector width is no power
    of two (1000 columns) is peeled: full vectors, then halving ones (in a
    kernel without rows, from anything above one vector: a 27-wide pooled
    row). An initializer that several kernels share (CSE merges equal
    fills and biases) is first copied for each, so that each fuses its
    own. A reduction along its input's innermost dimensions (a body
    `combine(out, f(in, ...))` with an add, max or min: a global pool, a
    softmax's or a normalization's row) that every input reads in its
    last dimensions, in order, or not at all, has its reduced loops
    collapsed into one run and takes one output element per tile, its
    fill and epilogue fused: the run is one vector up to 256 elements, and
    beyond that 4 vectors at a time (a whole number of them); the other
    loops may be dynamic.
    Every kernel's choice (tile sizes, vector and row loops, blocked or
    sliding rows, peeled dynamic rows) and every multiply-accumulate left untiled, with the
    reason, is an analysis remark of category `edge-tile-and-vectorize`
    (`edge-opt --remarks-filter=edge-tile-and-vectorize`,
    `edge-compile --remarks-filter=...`).
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "Most f32 lanes of the vector dimension (edge-compile: the "
           "target's vector register; 16 is one AVX-512 register)">,
    Option<"rows", "rows", "int64_t", /*default=*/"16",
           "Most accumulator rows of the unrolled second dimension "
           "(edge-compile: half the target's vector registers)">,
    Option<"slidingRows", "sliding-rows", "int64_t", /*default=*/"8",
           "Most accumulator rows of a kernel whose rows each read their "
           "own input vectors (edge-compile: a quarter of the target's "
           "vector registers)">,
    Option<"cacheBytes", "cache-bytes", "int64_t", /*default=*/"262144",
           "Bytes of a core's own cache: a kernel whose larger input "
           "exceeds it orders its output tiles so that this input streams "
           "once (edge-compile: the target's L2)">,
    Option<"fuseMultiplyAdd", "fuse-multiply-add", "bool",
           /*default=*/"true",
           "Fuse each multiply and add into vector.fma (off for targets "
           "without an FMA instruction, where it would be a libm call)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::tensor::TensorDialect"];
}

def OutlineParallelLoopsPass
    : Pass<"edge-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Run outermost parallel loops on the runtime's thread pool";
  let description = [{
    Runs on memrefs, before the conversion to the LLVM dialect. Every
    `scf.parallel` without results that is not inside another loop is
    outlined into a private function `<function>_parallel<N>(ctx, begin,
    end)` that runs the loop's iterations `[begin, end)` in linear order
    (innermost dimension fastest), and is replaced by a call of the
    runtime's `edge_parallel_for(body, ctx, iterations, work, nodes)`.
    `nodes` points to a NUL-terminated global `<body>_nodes` with the
    names of the ONNX nodes the loop computes (its location's, `A+B` for
    a fusion), which profiles print beside the loop's time; null when the
    location names none. `ctx`
    points to a struct on the caller's stack with the values the loop uses
    from outside, in their LLVM form (constants and other operand-less pure
    ops are recreated in the body instead); `work` estimates the
    operations of the whole loop (inner loops multiplied by their static
    trip counts) so that the runtime only splits loops worth a thread's
    wake-up. With one thread the runtime calls the body once over the whole
    range.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect"];
}

def MapToGPUPass : Pass<"edge-map-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Run a function's loops and memory accesses as GPU kernels";
  let description = [{
    Runs on memrefs, after linalg was lowered to `scf.parallel` loops. Each
    `scf.parallel` of the function body without results becomes one
    `gpu.launch` over a one-dimensional grid: every thread takes one
    iteration (the linear thread id delinearized over the loop's trip
    counts, innermost dimension fastest; threads past the last iteration do
    nothing), `block-size` threads per block. Every other run of
    consecutive top-level ops that reads or writes memory (loads, stores,
    sequential loops of a kernel without parallel dimensions) becomes a
    launch of a single thread, so no memory access is left to the host.
    Allocations, views, deallocations, global references and pure index
    arithmetic stay on the host. A value computed by such a run and used
    after it cannot cross the launch and is reported as an error. In the
    kernels, a sequential loop that loads and stores one element at fixed
    indices (a reduction's accumulator, the buffer used nowhere else in the
    loop) carries it as a loop value instead, so it stays in a register.
  }];
  let options = [
    Option<"blockSize", "block-size", "unsigned", /*default=*/"256",
           "Threads per block of a parallel loop's launch">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def GPUDeviceBuffersPass
    : Pass<"edge-gpu-device-buffers", "::mlir::ModuleOp"> {
  let summary = "Keep a model function's data in device memory";
  let description = [{
    Runs on the functions tagged `edge.entry` after `edge-map-to-gpu`,
    whose kernels may only touch device memory. Intermediate buffers
    (`memref.alloc`/`alloca`) become `gpu.alloc` (freed by `gpu.dealloc`
    where the host freed them, or before the return for an alloca); each
    input argument (`edge.input`) is copied into a
    device buffer at entry, each output argument gets a device buffer
    copied back to the caller's before every return; each weight
    (`memref.get_global`) is replaced by its device copy, which the
    runtime uploads once per model instance: `edge_rt_gpu_constant(host,
    bytes)` returns its device pointer, put into a descriptor of the
    global's type.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // EDGE_TRANSFORMS_PASSES_TD
