//===- EmberModule.cpp - the ember nanobind extension ---------------------===//
//
// Registers the ember dialect into a Python `mlir.ir.Context` and the ember
// passes and pipelines into MLIR's global registry; writes the data pointers
// of a compiled region's arrays into its memref descriptors (once per call).
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
  m.def(
      "write_data_pointers",
      [](nb::handle arrays, nb::handle block, nb::handle words) {
        // Per array, its buffer's address into two int64 words of `block`
        // (a descriptor's allocated and aligned pointers): `array.ctypes.data`
        // costs ~2 us an array, and a region's call may pass dozens.
        nb::sequence seq = nb::borrow<nb::sequence>(arrays);
        nb::sequence at = nb::borrow<nb::sequence>(words);
        size_t n = nb::len(seq);
        if (nb::len(at) != n)
          throw nb::value_error("write_data_pointers: one word per array");
        Py_buffer out;
        if (PyObject_GetBuffer(block.ptr(), &out,
                               PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) != 0)
          throw nb::python_error();
        auto *base = static_cast<int64_t *>(out.buf);
        Py_ssize_t count = out.len / static_cast<Py_ssize_t>(sizeof(int64_t));
        PyBuffer_Release(&out);
        for (size_t i = 0; i < n; ++i) {
          int64_t word = nb::cast<int64_t>(at[i]);
          if (word < 0 || word + 1 >= count)
            throw nb::index_error("write_data_pointers: word out of range");
          Py_buffer view;
          if (PyObject_GetBuffer(seq[i].ptr(), &view, PyBUF_C_CONTIGUOUS) != 0)
            throw nb::python_error();
          auto address = reinterpret_cast<int64_t>(view.buf);
          PyBuffer_Release(&view);
          base[word] = address;
          base[word + 1] = address;
        }
        return reinterpret_cast<uintptr_t>(base);
      },
      nb::arg("arrays"), nb::arg("block"), nb::arg("words"),
      "Writes each C-contiguous array's data address into the int64 buffer "
      "`block` at words `words[i]` and `words[i] + 1`; returns the block's "
      "address.");
}
