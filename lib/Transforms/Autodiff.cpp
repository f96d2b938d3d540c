//===- Autodiff.cpp - the ember-autodiff pass -----------------------------===//
//
// A generic reverse walk: no switch over op kinds, every rule lives with its
// op (DifferentiableOpInterface::buildVJP, lib/Dialect/Ember/IR/EmberVJPs.cpp).
//
//===----------------------------------------------------------------------===//
#include "ember/Dialect/Ember/IR/EmberOps.h"
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERAUTODIFF
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;
using namespace mlir::ember;

namespace {

bool carriesGradient(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

/// The argument attribute that excludes a float argument from differentiation
/// (a constant for the gradient: data, or a value that needs no gradient).
constexpr StringLiteral kNoGrad = "ember.no_grad";

/// Builds `@<f><suffix>` next to `f`; fails with a diagnostic on ops it cannot
/// differentiate.
LogicalResult differentiate(func::FuncOp f, StringRef suffix) {
  if (!f.getBody().hasOneBlock())
    return f.emitOpError("ember-autodiff handles single-block functions");
  FunctionType ft = f.getFunctionType();
  SmallVector<Type> inputs(ft.getInputs()), results(ft.getResults());
  for (Type t : ft.getResults())
    inputs.push_back(t); // one cotangent per result
  SmallVector<unsigned> wrt;
  for (auto [i, t] : llvm::enumerate(ft.getInputs())) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (rt && isa<FloatType>(rt.getElementType()) &&
        !f.getArgAttr(i, kNoGrad)) {
      wrt.push_back(i);
      results.push_back(t);
    }
  }

  OpBuilder b(f);
  b.setInsertionPointAfter(f);
  auto g = func::FuncOp::create(b, f.getLoc(), (f.getSymName() + suffix).str(),
                                b.getFunctionType(inputs, results));
  Block *entry = g.addEntryBlock();
  IRMapping map;
  Block &body = f.getBody().front();
  for (auto [i, arg] : llvm::enumerate(body.getArguments()))
    map.map(arg, entry->getArgument(i));
  b.setInsertionPointToEnd(entry);
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  auto ret = cast<func::ReturnOp>(body.getTerminator());

  // Activity: the values that depend on a differentiated argument. Only they
  // take cotangents, so nothing is computed for the gradient of a constant
  // (rules may still build one; it is dead code and goes away).
  DenseSet<Value> active;
  for (unsigned i : wrt)
    active.insert(entry->getArgument(i));
  for (Operation &op : entry->getOperations())
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return active.contains(v); }))
      active.insert(op.result_begin(), op.result_end());

  // Cotangents, accumulated at fan-out.
  DenseMap<Value, Value> cot;
  auto accumulate = [&](Value v, Value c) {
    if (!c || !carriesGradient(v) || !active.contains(v))
      return;
    auto [it, inserted] = cot.try_emplace(v, c);
    if (!inserted)
      it->second = AddOp::create(b, v.getLoc(), it->second, c);
  };
  unsigned numArgs = ft.getNumInputs();
  for (auto [i, r] : llvm::enumerate(ret.getOperands()))
    accumulate(map.lookup(r), entry->getArgument(numArgs + i));

  // The reverse walk over the forward copy.
  SmallVector<Operation *> forward;
  for (Operation &op : entry->getOperations())
    forward.push_back(&op);
  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> resultCot;
    bool any = false;
    for (Value r : op->getResults()) {
      Value c = cot.lookup(r);
      resultCot.push_back(c);
      any |= static_cast<bool>(c);
    }
    if (!any || op->getNumOperands() == 0) // constants pass nothing back
      continue;
    auto diff = dyn_cast<DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitOpError("is not differentiable (no "
                             "DifferentiableOpInterface); its result reaches "
                             "a differentiated output");
    SmallVector<Value> operandCot;
    if (failed(diff.buildVJP(b, resultCot, operandCot)))
      return failure();
    if (operandCot.size() != op->getNumOperands())
      return op->emitOpError("VJP rule gave ")
             << operandCot.size() << " cotangents for " << op->getNumOperands()
             << " operands";
    for (auto [operand, c] : llvm::zip(op->getOperands(), operandCot))
      accumulate(operand, c);
  }

  SmallVector<Value> outs;
  for (Value r : ret.getOperands())
    outs.push_back(map.lookup(r));
  for (unsigned i : wrt) {
    Value arg = entry->getArgument(i);
    Value c = cot.lookup(arg);
    if (!c) { // unused argument: zeros
      auto t = cast<RankedTensorType>(arg.getType());
      c = FullOp::create(b, f.getLoc(), t,
                         b.getFloatAttr(t.getElementType(), 0.0));
    }
    outs.push_back(c);
  }
  func::ReturnOp::create(b, ret.getLoc(), outs);
  return success();
}

struct EmberAutodiff : public ember::impl::EmberAutodiffBase<EmberAutodiff> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<func::FuncOp> functions;
    for (auto f : getOperation().getOps<func::FuncOp>())
      if (f.isPublic() && !f.isExternal())
        functions.push_back(f);
    for (func::FuncOp f : functions)
      if (failed(differentiate(f, suffix)))
        return signalPassFailure();
  }
};

} // namespace
