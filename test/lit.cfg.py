# -*- Python -*-
# lit configuration of the edge test suite.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "EDGE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.edge_obj_root, "test")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%edge_src_root", config.edge_src_root))
config.substitutions.append(("%python", config.python_executable))
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.edge_tools_dir, config.llvm_tools_dir]
tools = [
    ToolSubst("edge-opt", unresolved="ignore"),
    ToolSubst("edge-translate", unresolved="ignore"),
    ToolSubst("edge-compile", unresolved="ignore"),
    ToolSubst("edge-run", unresolved="ignore"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
