//===- StridedCopies.cpp - the ember-strided-copies-to-linalg pass --------===//
//
// `finalize-memref-to-llvm` turns a memref.copy between contiguous buffers
// into one memcpy, but any other copy (into the interior of a padded buffer,
// out of a strided view) into a call of the runner utilities' `memrefCopy`,
// which walks the elements one at a time through the descriptors. This pass
// makes those copies linalg.copy ops instead, which become loops that LLVM
// vectorizes and, when large, run on the thread pool.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERSTRIDEDCOPIESTOLINALG
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

struct EmberStridedCopiesToLinalg
    : public ember::impl::EmberStridedCopiesToLinalgBase<
          EmberStridedCopiesToLinalg> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      auto source = dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
      if (!source || !target)
        return;
      if (!all && memref::isStaticShapeAndContiguousRowMajor(source) &&
          memref::isStaticShapeAndContiguousRowMajor(target))
        return; // a memcpy
      copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
  }
};

} // namespace
