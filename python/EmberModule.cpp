//===- EmberModule.cpp - the ember nanobind extension ---------------------===//
//
// Registers the ember dialect into a Python `mlir.ir.Context` and the ember
// passes and pipelines into MLIR's global registry.
//
//===----------------------------------------------------------------------===//
#include "ember-c/Ember.h"

#include "mlir/Bindings/Python/NanobindAdaptors.h"

namespace nb = nanobind;

NB_MODULE(_ember_ext, m) {
  m.doc() = "Ember's compiled core: the ember dialect and its passes.";
  m.def(
      "register_dialect",
      [](MlirContext context, bool load) {
        MlirDialectHandle handle = mlirGetDialectHandle__ember__();
        mlirDialectHandleRegisterDialect(handle, context);
        if (load)
          mlirDialectHandleLoadDialect(handle, context);
      },
      nb::arg("context"), nb::arg("load") = true,
      "Registers (and by default loads) the ember dialect in `context`.");
  m.def("register_passes", &emberRegisterPasses,
        "Registers the ember passes and pipelines (idempotent).");
}
