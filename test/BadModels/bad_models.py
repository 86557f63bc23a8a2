"""Malformed ONNX models, each with the diagnostic edge-compile must give.

    bad_models.py write DIR            writes every model into DIR
    bad_models.py check DIR COMPILER   writes them and checks COMPILER on each:
                                       exit status 1, the expected message on
                                       stderr, and no crash report

Every case is a class of mistake a model file can contain (truncation,
versions, graph structure, tensors whose data disagrees with their
dimensions, sizes, attributes, subgraph nesting, external data that points
outside the model's folder). The models are written by code rather than
kept as binary files, so each one's defect is readable here.
"""

import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CASES = []


def case(expected):
    """Registers a builder: fn(directory) -> path of the model to compile,
    or (path, extra edge-compile arguments)."""

    def register(builder):
        CASES.append((builder.__name__, builder, expected))
        return builder

    return register


def make_model(nodes, inputs, outputs, initializers=(), opset=17, ir=8):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir
    return model


def tensor_info(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def relu_model(**kwargs):
    return make_model([helper.make_node("Relu", ["x"], ["y"])],
                      [tensor_info("x", [4])], [tensor_info("y", [4])], **kwargs)


def save(directory, name, model):
    path = os.path.join(directory, name + ".onnx")
    with open(path, "wb") as f:
        f.write(model if isinstance(model, bytes) else model.SerializeToString())
    return path


# --- Files that are not models --------------------------------------------

@case(r"error: not an ONNX model")
def truncated(d):
    data = relu_model().SerializeToString()
    return save(d, "truncated", data[: len(data) // 2])


@case(r"error: not an ONNX model: the file is empty")
def empty_file(d):
    return save(d, "empty_file", b"")


@case(r"error: the model has no graph outputs")
def no_graph(d):
    model = onnx.ModelProto()
    model.ir_version = 8
    model.opset_import.add().version = 17
    return save(d, "no_graph", model)


# --- Versions ---------------------------------------------------------------

@case(r"error: the model declares ONNX IR version 0; edge reads IR versions 1 to \d+")
def ir_version_missing(d):
    return save(d, "ir_version_missing", relu_model(ir=0))


@case(r"error: the model declares ONNX IR version 1000;")
def ir_version_future(d):
    return save(d, "ir_version_future", relu_model(ir=1000))


@case(r"error: the model imports opset 99 of the default ONNX domain; edge reads opsets 1 to \d+")
def opset_future(d):
    return save(d, "opset_future", relu_model(opset=99))


@case(r"error: the model imports opset -4 of the default ONNX domain")
def opset_negative(d):
    return save(d, "opset_negative", relu_model(opset=-4))


# --- Graph structure --------------------------------------------------------

@case(r"error: node 'Relu_0' \(Relu, opset 17\): input 0 \('b'\) is not defined before the node")
def cyclic_graph(d):
    nodes = [helper.make_node("Relu", ["b"], ["a"]),
             helper.make_node("Relu", ["a"], ["b"])]
    return save(d, "cyclic_graph", make_model(
        nodes, [tensor_info("x", [4])], [tensor_info("b", [4])]))


@case(r"error: node 'Add_0' \(Add, opset 17\): input 1 \('nowhere'\) is not defined before the node")
def dangling_input(d):
    return save(d, "dangling_input", make_model(
        [helper.make_node("Add", ["x", "nowhere"], ["y"])],
        [tensor_info("x", [4])], [tensor_info("y", [4])]))


@case(r"error: graph output 'z' is not produced by any node")
def dangling_output(d):
    return save(d, "dangling_output", make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [tensor_info("x", [4])], [tensor_info("z", [4])]))


@case(r"error: node 'second' \(Neg, opset 17\): writes value 'y', which node 'first' \(Relu, opset 17\) already defines")
def duplicate_node_outputs(d):
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="first"),
             helper.make_node("Neg", ["x"], ["y"], name="second")]
    return save(d, "duplicate_node_outputs", make_model(
        nodes, [tensor_info("x", [4])], [tensor_info("y", [4])]))


@case(r"error: node 'Relu_0' \(Relu, opset 17\): writes value 'x', which graph input already defines")
def output_overwrites_input(d):
    return save(d, "output_overwrites_input", make_model(
        [helper.make_node("Relu", ["x"], ["x"])],
        [tensor_info("x", [4])], [tensor_info("x", [4])]))


@case(r"error: graph input 'x' is declared twice")
def duplicate_inputs(d):
    return save(d, "duplicate_inputs", make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [tensor_info("x", [4]), tensor_info("x", [4])], [tensor_info("y", [4])]))


@case(r"error: initializer 'w' is given twice")
def duplicate_initializers(d):
    w = numpy_helper.from_array(np.ones(4, np.float32), "w")
    return save(d, "duplicate_initializers", make_model(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        [tensor_info("x", [4])], [tensor_info("y", [4])], [w, w]))


@case(r"error: node 1 of a graph has no op type")
def empty_op_type(d):
    model = relu_model()
    model.graph.node.add()
    return save(d, "empty_op_type", model)


@case(r"error: node 'Gemm_0' \(Gemm, opset 17\): has 1 inputs, the op takes 2 to 3")
def too_few_inputs(d):
    return save(d, "too_few_inputs", make_model(
        [helper.make_node("Gemm", ["x"], ["y"])],
        [tensor_info("x", [2, 2])], [tensor_info("y", [2, 2])]))


@case(r"error: node 'Relu_0' \(Relu, opset 17\): has 2 outputs, the op has 1")
def too_many_outputs(d):
    return save(d, "too_many_outputs", make_model(
        [helper.make_node("Relu", ["x"], ["y", "z"])],
        [tensor_info("x", [4])], [tensor_info("y", [4])]))


@case(r"error: unsupported ONNX op 'Frobnicate' \(opset 17\) in node 'Frobnicate_0' of domain 'com.example'")
def unknown_domain(d):
    model = make_model([helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")],
                       [tensor_info("x", [4])], [tensor_info("y", [4])])
    model.opset_import.add().CopyFrom(helper.make_opsetid("com.example", 1))
    return save(d, "unknown_domain", model)


@case(r"error: node 'Concat_0' \(Concat, opset 17\): attribute 'axis' must be INT, got STRING")
def attribute_wrong_kind(d):
    return save(d, "attribute_wrong_kind", make_model(
        [helper.make_node("Concat", ["x", "x"], ["y"], axis="zero")],
        [tensor_info("x", [4])], [tensor_info("y", [8])]))


@case(r"error: node 'Relu_0' \(Relu, opset 17\): ONNX shape inference: Inferred elem type differs from existing elem type: \(FLOAT\) vs \(INT64\)")
def output_type_mismatch(d):
    return save(d, "output_type_mismatch", make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [tensor_info("x", [4])], [tensor_info("y", [4], TensorProto.INT64)]))


@case(r"error: node 'Add_0' \(Add, opset 17\): .*(element type|types)")
def input_type_mismatch(d):
    return save(d, "input_type_mismatch", make_model(
        [helper.make_node("Add", ["x", "n"], ["y"])],
        [tensor_info("x", [4]), tensor_info("n", [4], TensorProto.INT64)],
        [tensor_info("y", [4])]))


def nested_if(depth):
    """An If whose then-branch is an If ... `depth` levels deep."""
    leaf_out = tensor_info("r", [4])
    leaf = helper.make_graph([helper.make_node("Identity", ["x"], ["r"])],
                             "leaf", [], [leaf_out])
    body = leaf
    for level in range(depth):
        node = helper.make_node("If", ["c"], ["r"], then_branch=body, else_branch=leaf)
        body = helper.make_graph([node], "level%d" % level, [], [tensor_info("r", [4])])
    return body.node[0]


@case(r"error: subgraphs are nested more than \d+ levels deep")
def subgraph_recursion(d):
    # 20 levels stay under protobuf's own nesting limit of 100 messages.
    graph = helper.make_graph([nested_if(20)], "g",
                              [tensor_info("c", [], TensorProto.BOOL), tensor_info("x", [4])],
                              [tensor_info("r", [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return save(d, "subgraph_recursion", model)


@case(r"error: not an ONNX model")
def protobuf_recursion(d):
    # Deeper than protobuf's nesting limit: refused by the parser itself.
    graph = helper.make_graph([nested_if(60)], "g",
                              [tensor_info("c", [], TensorProto.BOOL), tensor_info("x", [4])],
                              [tensor_info("r", [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return save(d, "protobuf_recursion", model)


# --- Nodes that crash ONNX's own shape inference (found by fuzzing) ---------

@case(r"error: node 'Conv_0' \(Conv, opset 13\): ONNX shape inference crashes on this node \(signal Floating point exception\): its attributes or inputs are malformed")
def conv_zero_stride(d):
    return save(d, "conv_zero_stride", make_model(
        [helper.make_node("Conv", ["x", "w"], ["y"], auto_pad="SAME_UPPER", strides=[2, 0])],
        [tensor_info("x", [1, 3, 7, 7]), tensor_info("w", [4, 3, 3, 3])],
        [tensor_info("y", None)], opset=13))


@case(r"error: node 'Scan_0' \(Scan, opset 8\): ONNX shape inference crashes on this node \(signal Segmentation fault\)")
def scan_without_num_scan_inputs(d):
    body = helper.make_graph(
        [helper.make_node("Add", ["sum_in", "next"], ["sum_out"]),
         helper.make_node("Identity", ["sum_out"], ["scan_out"])], "body",
        [tensor_info("sum_in", [2]), tensor_info("next", [2])],
        [tensor_info("sum_out", [2]), tensor_info("scan_out", [2])])
    return save(d, "scan_without_num_scan_inputs", make_model(
        [helper.make_node("Scan", ["", "initial", "x"], ["y", "z"], body=body)],
        [tensor_info("initial", [1, 2]), tensor_info("x", [1, 3, 2])],
        [tensor_info("y", None), tensor_info("z", None)], opset=8))


@case(r"error: node 'Momentum_0' \(Momentum, opset 12\): input 3 must have the type of optimized input 0 \(tensor<2xf32>\), not tensor<4xf32>")
def momentum_gradient_of_another_shape(d):
    model = make_model(
        [helper.make_node("Momentum", ["r", "t", "x", "g", "v"], ["xn", "vn"],
                          domain="ai.onnx.preview.training", alpha=0.9,
                          beta=0.5, mode="nesterov")],
        [tensor_info("r", []), tensor_info("t", [], TensorProto.INT64),
         tensor_info("x", [2]), tensor_info("g", [4]), tensor_info("v", [2])],
        [tensor_info("xn", None), tensor_info("vn", None)], opset=12)
    model.opset_import.append(helper.make_opsetid("ai.onnx.preview.training", 1))
    return save(d, "momentum_gradient_of_another_shape", model)


# --- Tensors and sizes -------------------------------------------------------

def int64_tensor(name, dims, raw):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.INT64
    t.dims.extend(dims)
    t.raw_data = raw
    return t


@case(r"error: initializer 'axes': holds 3 bytes of data, its dimensions and type say 32")
def raw_data_short(d):
    return save(d, "raw_data_short", make_model(
        [helper.make_node("Unsqueeze", ["x", "axes"], ["y"])],
        [tensor_info("x", [2])], [tensor_info("y", None)],
        [int64_tensor("axes", [4], b"\x01" * 3)]))


@case(r"error: initializer 'shape': holds 8 bytes of data, its dimensions and type say 8000")
def raw_data_dims_too_large(d):
    return save(d, "raw_data_dims_too_large", make_model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])],
        [tensor_info("x", [2])], [tensor_info("y", None)],
        [int64_tensor("shape", [1000], b"\x02" * 8)]))


@case(r"error: initializer 'w': holds 3 elements, its dimensions say 4")
def typed_data_count(d):
    w = TensorProto()
    w.name = "w"
    w.data_type = TensorProto.FLOAT
    w.dims.append(4)
    w.float_data.extend([1.0, 2.0, 3.0])
    return save(d, "typed_data_count", make_model(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        [tensor_info("x", [4])], [tensor_info("y", [4])], [w]))


@case(r"error: node 'Constant_0' \(Constant, opset 17\), attribute 'value': holds 2 bytes of data, its dimensions and type say 16")
def constant_raw_data(d):
    value = int64_tensor("v", [2], b"\x00\x01")
    return save(d, "constant_raw_data", make_model(
        [helper.make_node("Constant", [], ["s"], value=value),
         helper.make_node("Reshape", ["x", "s"], ["y"])],
        [tensor_info("x", [4])], [tensor_info("y", None)]))


@case(r"error: initializer 'w': has a negative dimension -1")
def negative_initializer_dim(d):
    w = int64_tensor("w", [-1], b"")
    return save(d, "negative_initializer_dim", make_model(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        [tensor_info("x", [4], TensorProto.INT64)], [tensor_info("y", [4], TensorProto.INT64)], [w]))


@case(r"error: initializer 'w': has more elements than the limit of \d+ bytes allows")
def huge_initializer_dims(d):
    w = int64_tensor("w", [1 << 31, 1 << 31, 1 << 31], b"")
    return save(d, "huge_initializer_dims", make_model(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        [tensor_info("x", [4], TensorProto.INT64)], [tensor_info("y", [4], TensorProto.INT64)], [w]))


@case(r"error: graph input 'x' has a negative dimension -3 at index 1")
def negative_input_dim(d):
    return save(d, "negative_input_dim", make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [tensor_info("x", [2, -3])], [tensor_info("y", None)]))


@case(r"error: graph input 'x' has dimension 1099511627776, larger than supported \(2\^31\)")
def huge_input_dim(d):
    return save(d, "huge_input_dim", make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [tensor_info("x", [1 << 40])], [tensor_info("y", None)]))


@case(r"error: graph input 'x' would be a 'tensor<1073741824x1073741824x1073741824xf32>', larger than the limit of \d+ bytes per tensor")
def huge_input_size(d):
    return save(d, "huge_input_size", make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [tensor_info("x", [1 << 30, 1 << 30, 1 << 30])], [tensor_info("y", None)]))


@case(r"error: node 'Expand_0' \(Expand, opset 17\): output 'y' would be a 'tensor<1073741824x1073741824xf32>', larger than the limit")
def huge_expand(d):
    shape = numpy_helper.from_array(np.array([1 << 30, 1 << 30], np.int64), "s")
    return save(d, "huge_expand", make_model(
        [helper.make_node("Expand", ["x", "s"], ["y"])],
        [tensor_info("x", [1])], [tensor_info("y", None)], [shape]))


@case(r"error: node 'ConstantOfShape_0' \(ConstantOfShape, opset 17\): .*too large")
def huge_constant_of_shape(d):
    shape = numpy_helper.from_array(np.array([1 << 30, 1 << 30, 16], np.int64), "s")
    value = numpy_helper.from_array(np.array([1.0], np.float32))
    return save(d, "huge_constant_of_shape", make_model(
        [helper.make_node("ConstantOfShape", ["s"], ["y"], value=value)],
        [], [tensor_info("y", None)], [shape]))


@case(r"error: sparse initializer 'w' is not supported")
def sparse_initializer(d):
    model = relu_model()
    sparse = model.graph.sparse_initializer.add()
    sparse.values.CopyFrom(helper.make_tensor("w", TensorProto.FLOAT, [1], [1.0]))
    sparse.indices.CopyFrom(helper.make_tensor("i", TensorProto.INT64, [1], [0]))
    sparse.dims.extend([4])
    return save(d, "sparse_initializer", model)


@case(r"error: --input-shape names 'nope', which is not an input of the graph \(inputs: 'x'\)")
def input_shape_unknown(d):
    return save(d, "input_shape_unknown", relu_model()), ["--input-shape=nope:4"]


# --- External data -----------------------------------------------------------

WEIGHTS = np.arange(4, dtype=np.float32)


def external_model(d, name, location, offset=None, length=None, extra=()):
    """An Add whose second operand is kept in an external file."""
    w = TensorProto()
    w.name = "w"
    w.data_type = TensorProto.FLOAT
    w.dims.extend([4])
    w.data_location = TensorProto.EXTERNAL
    entries = [("location", location)]
    if offset is not None:
        entries.append(("offset", str(offset)))
    if length is not None:
        entries.append(("length", str(length)))
    for key, value in list(entries) + list(extra):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    model = make_model([helper.make_node("Add", ["x", "w"], ["y"])],
                       [tensor_info("x", [4])], [tensor_info("y", [4])], [w])
    folder = os.path.join(d, name)
    os.makedirs(folder, exist_ok=True)
    return save(folder, "model", model)


def write_weights(path, prefix=b""):
    with open(path, "wb") as f:
        f.write(prefix + WEIGHTS.tobytes())


@case(r"error: tensor 'w': external data location '/etc/passwd' is an absolute path; it must name a file inside the model's folder")
def external_absolute(d):
    return external_model(d, "external_absolute", "/etc/passwd")


@case(r"error: tensor 'w': external data location '../weights.bin' goes up with '..'")
def external_parent(d):
    write_weights(os.path.join(d, "weights.bin"))
    return external_model(d, "external_parent", "../weights.bin")


@case(r"error: tensor 'w': external data location 'escape.bin' resolves to '.*/weights.bin', outside the folder")
def external_symlink_out(d):
    write_weights(os.path.join(d, "weights.bin"))
    path = external_model(d, "external_symlink_out", "escape.bin")
    link = os.path.join(os.path.dirname(path), "escape.bin")
    if not os.path.lexists(link):
        os.symlink(os.path.join(d, "weights.bin"), link)
    return path


@case(r"error: tensor 'w': external data 'zero' is not a regular file")
def external_special_file(d):
    path = external_model(d, "external_special_file", "zero")
    folder = os.path.dirname(path)
    # A device node cannot be made without privileges; a FIFO is as special
    # and would block a reader forever.
    fifo = os.path.join(folder, "zero")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    return path


@case(r"error: tensor 'w': cannot open external data file '.*missing.bin': No such file or directory")
def external_missing(d):
    return external_model(d, "external_missing", "missing.bin")


@case(r"error: tensor 'w': external data range 8 \+ 16 is past the end of 'weights.bin' \(16 bytes\)")
def external_past_end(d):
    path = external_model(d, "external_past_end", "weights.bin", offset=8, length=16)
    write_weights(os.path.join(os.path.dirname(path), "weights.bin"))
    return path


@case(r"error: tensor 'w': external data holds 12 bytes, its dimensions and type say 16")
def external_wrong_length(d):
    path = external_model(d, "external_wrong_length", "weights.bin", length=12)
    write_weights(os.path.join(os.path.dirname(path), "weights.bin"))
    return path


@case(r"error: tensor 'w': unknown external data key 'basepath'")
def external_unknown_key(d):
    path = external_model(d, "external_unknown_key", "weights.bin", extra=[("basepath", "/")])
    write_weights(os.path.join(os.path.dirname(path), "weights.bin"))
    return path


def main():
    mode, directory = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(directory, exist_ok=True)
    failures = 0
    for name, builder, expected in CASES:
        built = builder(directory)
        path, extra = built if isinstance(built, tuple) else (built, [])
        if mode == "write":
            continue
        result = subprocess.run([sys.argv[3], path, "-o", os.path.join(directory, name + ".so")] + extra,
                                capture_output=True, text=True, timeout=300)
        problems = []
        if result.returncode != 1:
            problems.append("exit status %d, expected 1" % result.returncode)
        if not re.search(expected, result.stderr):
            problems.append("no match for /%s/" % expected)
        if re.search(r"LLVM ERROR|Stack dump|PLEASE submit|Assertion", result.stderr):
            problems.append("crash report")
        status = "ok" if not problems else "FAIL (" + "; ".join(problems) + ")"
        print("%-28s %s" % (name, status))
        if problems:
            failures += 1
            sys.stdout.write("    stderr: " + result.stderr.replace("\n", "\n    ") + "\n")
    if mode == "check":
        print("%d of %d cases failed" % (failures, len(CASES)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
