//===- WidenBoolMemrefs.cpp - the ember-widen-bool-memrefs pass -----------===//
//
// Retypes every memref of i1 to a memref of i8 in place. At this point of the
// pipeline (loops over memrefs) element values only enter and leave memory
// through memref.load / memref.store and memref.global initializers; every
// other op that touches such a memref (alloc, views, copies, function
// boundaries) is agnostic of the element type and only needs its types
// updated.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERWIDENBOOLMEMREFS
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// memref<...xi1> -> memref<...xi8>; anything else unchanged.
Type widen(Type t) {
  auto memref = dyn_cast<MemRefType>(t);
  if (!memref || !memref.getElementType().isInteger(1))
    return t;
  return MemRefType::get(memref.getShape(), IntegerType::get(t.getContext(), 8),
                         memref.getLayout(), memref.getMemorySpace());
}

void widenValue(Value v) { v.setType(widen(v.getType())); }

struct EmberWidenBoolMemrefs
    : public ember::impl::EmberWidenBoolMemrefsBase<EmberWidenBoolMemrefs> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    Type i8 = b.getI8Type();

    module.walk([&](Operation *op) {
      // Values entering and leaving memory.
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        if (!load.getType().isInteger(1))
          return;
        b.setInsertionPointAfter(load);
        load.getResult().setType(i8);
        auto bit = arith::TruncIOp::create(b, load.getLoc(), b.getI1Type(),
                                           load.getResult());
        load.getResult().replaceAllUsesExcept(bit, bit);
        return;
      }
      if (auto store = dyn_cast<memref::StoreOp>(op)) {
        if (!store.getValueToStore().getType().isInteger(1))
          return;
        b.setInsertionPoint(store);
        auto byte = arith::ExtUIOp::create(b, store.getLoc(), i8,
                                           store.getValueToStore());
        store.getValueMutable().assign(byte);
        return;
      }
      if (auto global = dyn_cast<memref::GlobalOp>(op)) {
        if (!global.getType().getElementType().isInteger(1))
          return;
        auto widened = cast<MemRefType>(widen(global.getType()));
        global.setType(widened);
        if (auto init = dyn_cast_if_present<DenseElementsAttr>(
                global.getInitialValueAttr()))
          global.setInitialValueAttr(
              init.mapValues(i8, [](const APInt &v) { return v.zext(8); }));
        return;
      }
      // Type-only updates: results and block arguments.
      for (Value result : op->getResults())
        widenValue(result);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            widenValue(arg);
      if (auto func = dyn_cast<func::FuncOp>(op)) {
        FunctionType ft = func.getFunctionType();
        SmallVector<Type> inputs, results;
        for (Type t : ft.getInputs())
          inputs.push_back(widen(t));
        for (Type t : ft.getResults())
          results.push_back(widen(t));
        func.setType(FunctionType::get(func.getContext(), inputs, results));
      }
    });
  }
};

} // namespace
