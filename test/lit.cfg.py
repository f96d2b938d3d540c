# lit configuration for Ember's IR tests: `ember-opt` from the installed
# package and `FileCheck` / `not` from the xtc LLVM tools.
import os
import shutil

import lit.formats
import llvm

config.name = "Ember"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["python", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)

llvm_bin = os.path.join(list(llvm.__path__)[0], "bin")
config.environment["PATH"] = os.pathsep.join([llvm_bin, os.environ.get("PATH", "")])
if shutil.which("ember-opt", path=config.environment["PATH"]) is None:
    lit_config.fatal("ember-opt is not on PATH: install the package first (scripts/setup.sh)")
