//===- EmberVJPs.cpp - vector-Jacobian products of ember ops --------------===//
//
// Each rule builds ember ops (so gradients are differentiable again) at the
// builder's insertion point from the result cotangent `g`, the operands and
// the op's own result (forward values are reused, not recomputed).
// `ember-autodiff` only calls a rule for a result that has a cotangent, and
// only float tensors carry cotangents.
//
//===----------------------------------------------------------------------===//
#include "ember/Dialect/Ember/IR/EmberOps.h"

#include "mlir/IR/Builders.h"
#include <cmath>

using namespace mlir;
using namespace mlir::ember;

namespace {

/// Builds ember ops at one location.
struct G {
  OpBuilder &b;
  Location loc;

  RankedTensorType type(Value v) { return cast<RankedTensorType>(v.getType()); }
  Value full(RankedTensorType t, double v) {
    return FullOp::create(b, loc, t, b.getFloatAttr(t.getElementType(), v));
  }
  Value like(Value x, double v) { return full(type(x), v); }
  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value neg(Value x) { return NegOp::create(b, loc, x); }
  Value scale(Value x, double c) { return mul(x, like(x, c)); }
  Value select(Value c, Value x, Value y) {
    return SelectOp::create(b, loc, c, x, y);
  }
  /// Broadcasts `x` to `to` (no-op when the types match).
  Value expand(Value x, RankedTensorType to) {
    return x.getType() == to ? x : BroadcastOp::create(b, loc, to, x);
  }
  Value reshape(Value x, RankedTensorType to) {
    return x.getType() == to ? x : ReshapeOp::create(b, loc, to, x);
  }
  /// Sums a broadcast gradient back to `target`'s shape: over the new leading
  /// dims and the dims where `target` has size 1.
  Value reduceTo(Value g, RankedTensorType target) {
    RankedTensorType gt = type(g);
    if (gt.getShape() == target.getShape())
      return g;
    int64_t offset = gt.getRank() - target.getRank();
    SmallVector<int64_t> dims;
    for (int64_t i = 0; i < gt.getRank(); ++i)
      if (i < offset ||
          (target.getDimSize(i - offset) == 1 && gt.getDimSize(i) != 1))
        dims.push_back(i);
    Value s = dims.empty() ? g : SumOp::create(b, loc, g, dims).getResult();
    return reshape(s, target);
  }
  /// `g` of a reduction over `dims` broadcast back to the input's shape.
  Value unreduce(Value g, ArrayRef<int64_t> dims, bool keepdim,
                 RankedTensorType input) {
    if (!keepdim) {
      SmallVector<int64_t> shape(input.getShape());
      for (int64_t d : dims)
        shape[d] = 1;
      g = reshape(g, input.clone(shape));
    }
    return expand(g, input);
  }
};

/// Element count of `dims` of `t`.
double countOf(RankedTensorType t, ArrayRef<int64_t> dims) {
  double n = 1;
  for (int64_t d : dims)
    n *= t.getDimSize(d);
  return n;
}

} // namespace

#define EMBER_VJP(OP)                                                          \
  LogicalResult OP::buildVJP(OpBuilder &b, ValueRange cot,                     \
                             SmallVectorImpl<Value> &grads)

// Elementwise: unary.
EMBER_VJP(NegOp) {
  G g{b, getLoc()};
  grads.push_back(g.neg(cot[0]));
  return success();
}
EMBER_VJP(AbsOp) {
  G g{b, getLoc()};
  grads.push_back(g.mul(cot[0], SignOp::create(b, getLoc(), getInput())));
  return success();
}
EMBER_VJP(SignOp) {
  grads.push_back(Value()); // zero almost everywhere
  return success();
}
EMBER_VJP(FloorOp) {
  grads.push_back(Value());
  return success();
}
EMBER_VJP(LogicalNotOp) {
  grads.push_back(Value());
  return success();
}
EMBER_VJP(ExpOp) { // d exp(x) = exp(x)
  G g{b, getLoc()};
  grads.push_back(g.mul(cot[0], getResult()));
  return success();
}
EMBER_VJP(LogOp) {
  G g{b, getLoc()};
  grads.push_back(g.div(cot[0], getInput()));
  return success();
}
EMBER_VJP(Log1pOp) {
  G g{b, getLoc()};
  grads.push_back(g.div(cot[0], g.add(getInput(), g.like(getInput(), 1.0))));
  return success();
}
EMBER_VJP(SqrtOp) { // 1 / (2 sqrt(x))
  G g{b, getLoc()};
  grads.push_back(g.div(g.scale(cot[0], 0.5), getResult()));
  return success();
}
EMBER_VJP(RsqrtOp) { // -x^(-3/2) / 2 = -rsqrt(x) / (2x)
  G g{b, getLoc()};
  grads.push_back(g.div(g.scale(g.mul(cot[0], getResult()), -0.5), getInput()));
  return success();
}
EMBER_VJP(TanhOp) { // 1 - tanh^2
  G g{b, getLoc()};
  Value y = getResult();
  grads.push_back(g.mul(cot[0], g.sub(g.like(y, 1.0), g.mul(y, y))));
  return success();
}
EMBER_VJP(SigmoidOp) { // s (1 - s)
  G g{b, getLoc()};
  Value y = getResult();
  grads.push_back(g.mul(cot[0], g.mul(y, g.sub(g.like(y, 1.0), y))));
  return success();
}
EMBER_VJP(ErfOp) { // 2 / sqrt(pi) exp(-x^2)
  G g{b, getLoc()};
  Value x = getInput();
  Value e = ExpOp::create(b, getLoc(), g.neg(g.mul(x, x)));
  grads.push_back(g.mul(cot[0], g.scale(e, 2.0 / std::sqrt(M_PI))));
  return success();
}
EMBER_VJP(SinOp) {
  G g{b, getLoc()};
  grads.push_back(g.mul(cot[0], CosOp::create(b, getLoc(), getInput())));
  return success();
}
EMBER_VJP(CosOp) {
  G g{b, getLoc()};
  grads.push_back(g.neg(g.mul(cot[0], SinOp::create(b, getLoc(), getInput()))));
  return success();
}

// Elementwise: binary.
EMBER_VJP(AddOp) {
  grads.append({cot[0], cot[0]});
  return success();
}
EMBER_VJP(SubOp) {
  G g{b, getLoc()};
  grads.append({cot[0], g.neg(cot[0])});
  return success();
}
EMBER_VJP(MulOp) {
  G g{b, getLoc()};
  grads.append({g.mul(cot[0], getRhs()), g.mul(cot[0], getLhs())});
  return success();
}
EMBER_VJP(DivOp) { // (g / y, -g x / y^2) = (g / y, -(g / y) * out)
  G g{b, getLoc()};
  Value gy = g.div(cot[0], getRhs());
  grads.append({gy, g.neg(g.mul(gy, getResult()))});
  return success();
}
EMBER_VJP(PowOp) { // (g y x^(y-1), g out log x), as PyTorch at x = 0 / y = 0
  G g{b, getLoc()};
  Location loc = getLoc();
  Value x = getLhs(), y = getRhs();
  Value zero = g.like(x, 0.0);
  Value xm1 = PowOp::create(b, loc, x, g.sub(y, g.like(y, 1.0)));
  Value dx = g.mul(cot[0], g.mul(y, xm1));
  grads.push_back(g.select(EqOp::create(b, loc, y, zero), zero, dx));
  Value dy = g.mul(cot[0], g.mul(getResult(), LogOp::create(b, loc, x)));
  Value zeroBase = LogicalAndOp::create(b, loc, EqOp::create(b, loc, x, zero),
                                        GeOp::create(b, loc, y, zero));
  grads.push_back(g.select(zeroBase, zero, dy));
  return success();
}
/// maximum / minimum: the winner gets g, ties split it evenly (as PyTorch).
static LogicalResult extremeVJP(Operation *op, OpBuilder &b, Value x, Value y,
                                Value g, bool isMax,
                                SmallVectorImpl<Value> &grads) {
  G h{b, op->getLoc()};
  Value wins = isMax ? GtOp::create(b, op->getLoc(), x, y).getResult()
                     : LtOp::create(b, op->getLoc(), x, y).getResult();
  Value tie = EqOp::create(b, op->getLoc(), x, y);
  Value zero = h.like(g, 0.0);
  Value gx = h.select(wins, g, h.select(tie, h.scale(g, 0.5), zero));
  grads.append({gx, h.sub(g, gx)});
  return success();
}
EMBER_VJP(MaximumOp) {
  return extremeVJP(*this, b, getLhs(), getRhs(), cot[0], true, grads);
}
EMBER_VJP(MinimumOp) {
  return extremeVJP(*this, b, getLhs(), getRhs(), cot[0], false, grads);
}
EMBER_VJP(RemOp) { // C fmod: (g, -g trunc(x / y)), as PyTorch's fmod
  G g{b, getLoc()};
  Location loc = getLoc();
  Value q = g.div(getLhs(), getRhs());
  Value down = FloorOp::create(b, loc, q);
  Value up = g.neg(FloorOp::create(b, loc, g.neg(q)));
  Value trunc = g.select(LtOp::create(b, loc, q, g.like(q, 0.0)), up, down);
  grads.append({cot[0], g.neg(g.mul(cot[0], trunc))});
  return success();
}
EMBER_VJP(LogicalAndOp) {
  grads.append({Value(), Value()});
  return success();
}
EMBER_VJP(LogicalOrOp) {
  grads.append({Value(), Value()});
  return success();
}

EMBER_VJP(SelectOp) {
  G g{b, getLoc()};
  Value zero = g.like(cot[0], 0.0);
  grads.append({Value(), g.select(getCondition(), cot[0], zero),
                g.select(getCondition(), zero, cot[0])});
  return success();
}
EMBER_VJP(CastOp) { // back to the input's float type; integers get none
  RankedTensorType in = getInput().getType();
  if (!isa<FloatType>(in.getElementType())) {
    grads.push_back(Value());
    return success();
  }
  grads.push_back(CastOp::create(b, getLoc(), in, cot[0]));
  return success();
}
EMBER_VJP(BroadcastOp) {
  G g{b, getLoc()};
  grads.push_back(g.reduceTo(cot[0], getInput().getType()));
  return success();
}

// Reductions.
EMBER_VJP(SumOp) {
  G g{b, getLoc()};
  grads.push_back(g.unreduce(cot[0], getDims(), getKeepdim(),
                             cast<RankedTensorType>(getInput().getType())));
  return success();
}
EMBER_VJP(MeanOp) {
  G g{b, getLoc()};
  auto in = cast<RankedTensorType>(getInput().getType());
  Value spread = g.unreduce(cot[0], getDims(), getKeepdim(), in);
  grads.push_back(g.scale(spread, 1.0 / countOf(in, getDims())));
  return success();
}
EMBER_VJP(ProdOp) { // d/dx_i = prod of the others, also where inputs are 0
  G g{b, getLoc()};
  Location loc = getLoc();
  auto in = cast<RankedTensorType>(getInput().getType());
  Value x = getInput();
  Value zero = g.like(x, 0.0), one = g.like(x, 1.0);
  Value isZero = EqOp::create(b, loc, x, zero);
  // The product of the nonzero elements and the number of zeros, per slice.
  Value nonzero = ProdOp::create(b, loc, g.select(isZero, one, x), getDims(),
                                 /*keepdim=*/true);
  Value zeros = SumOp::create(b, loc, g.select(isZero, one, zero), getDims(),
                              /*keepdim=*/true);
  Value p = g.expand(nonzero, in), count = g.expand(zeros, in);
  // No zero: prod / x_i. One zero: prod of the others at the zero, 0 elsewhere.
  // Two or more: 0.
  Value noZero = EqOp::create(b, loc, count, zero);
  Value oneZero =
      LogicalAndOp::create(b, loc, EqOp::create(b, loc, count, one), isZero);
  Value d = g.select(noZero, g.div(p, x), g.select(oneZero, p, zero));
  Value spread = g.unreduce(cot[0], getDims(), getKeepdim(), in);
  grads.push_back(g.mul(spread, d));
  return success();
}
/// max / min over dims: g is shared evenly among the elements that attain
/// the extreme (as torch.amax / amin).
static LogicalResult reduceExtremeVJP(Operation *op, OpBuilder &b, Value input,
                                      Value result, Value cot,
                                      ArrayRef<int64_t> dims, bool keepdim,
                                      SmallVectorImpl<Value> &grads) {
  G g{b, op->getLoc()};
  auto in = cast<RankedTensorType>(input.getType());
  Value m = g.unreduce(result, dims, keepdim, in);
  Value hit = EqOp::create(b, op->getLoc(), input, m);
  Value one = g.like(input, 1.0), zero = g.like(input, 0.0);
  Value ones = g.select(hit, one, zero);
  Value count = SumOp::create(b, op->getLoc(), ones, dims, /*keepdim=*/true);
  Value share = g.div(g.unreduce(cot, dims, keepdim, in), g.expand(count, in));
  grads.push_back(g.select(hit, share, zero));
  return success();
}
EMBER_VJP(MaxOp) {
  return reduceExtremeVJP(*this, b, getInput(), getResult(), cot[0], getDims(),
                          getKeepdim(), grads);
}
EMBER_VJP(MinOp) {
  return reduceExtremeVJP(*this, b, getInput(), getResult(), cot[0], getDims(),
                          getKeepdim(), grads);
}
EMBER_VJP(CumsumOp) { // reverse cumsum = total - cumsum(g) + g
  G g{b, getLoc()};
  int64_t dim = static_cast<int64_t>(getDim());
  RankedTensorType t = getType();
  Value total = g.expand(
      SumOp::create(b, getLoc(), cot[0], ArrayRef<int64_t>{dim}, true), t);
  Value running = CumsumOp::create(b, getLoc(), cot[0], getDimAttr());
  grads.push_back(g.add(g.sub(total, running), cot[0]));
  return success();
}

// Linear algebra: lift 1-D operands to matrices, multiply by the transposes,
// and sum broadcast batch dims back.
EMBER_VJP(MatmulOp) {
  G g{b, getLoc()};
  RankedTensorType lt = getLhs().getType(), rt = getRhs().getType();
  Value gOut = cot[0];
  if (lt.getRank() == 1 && rt.getRank() == 1) { // dot product
    grads.push_back(g.mul(g.expand(gOut, lt), getRhs()));
    grads.push_back(g.mul(g.expand(gOut, rt), getLhs()));
    return success();
  }
  auto lift = [&](Value v, bool row) -> Value {
    RankedTensorType t = g.type(v);
    if (t.getRank() != 1)
      return v;
    SmallVector<int64_t> shape = row ? SmallVector<int64_t>{1, t.getDimSize(0)}
                                     : SmallVector<int64_t>{t.getDimSize(0), 1};
    return g.reshape(v, t.clone(shape));
  };
  Value a = lift(getLhs(), /*row=*/true), c = lift(getRhs(), /*row=*/false);
  // The cotangent with the dropped m / n dims restored.
  RankedTensorType gt = g.type(gOut);
  SmallVector<int64_t> gShape(gt.getShape());
  if (lt.getRank() == 1)
    gShape.insert(gShape.end() - (rt.getRank() >= 2 ? 1 : 0), 1);
  if (rt.getRank() == 1)
    gShape.push_back(1);
  Value g2 = g.reshape(gOut, gt.clone(gShape));
  auto swapLast = [&](Value v) -> Value {
    int64_t r = g.type(v).getRank();
    SmallVector<int64_t> perm(r);
    for (int64_t i = 0; i < r; ++i)
      perm[i] = i;
    std::swap(perm[r - 1], perm[r - 2]);
    return TransposeOp::create(b, getLoc(), v, perm);
  };
  Value ga = MatmulOp::create(b, getLoc(), g2, swapLast(c));
  Value gc = MatmulOp::create(b, getLoc(), swapLast(a), g2);
  grads.push_back(g.reshape(g.reduceTo(ga, g.type(a)), lt));
  grads.push_back(g.reshape(g.reduceTo(gc, g.type(c)), rt));
  return success();
}

// Convolution: the three conv ops are each other's adjoints.
EMBER_VJP(ConvOp) {
  Location loc = getLoc();
  grads.push_back(ConvTransposeOp::create(b, loc, getLhs().getType(), cot[0],
                                          getRhs(), getStride(), getDilation(),
                                          getGroups()));
  grads.push_back(ConvWeightGradOp::create(b, loc, getRhs().getType(), getLhs(),
                                           cot[0], getStride(), getDilation(),
                                           getGroups()));
  return success();
}
EMBER_VJP(ConvTransposeOp) {
  Location loc = getLoc();
  grads.push_back(ConvOp::create(b, loc, getLhs().getType(), cot[0], getRhs(),
                                 getStride(), getDilation(), getGroups()));
  grads.push_back(ConvWeightGradOp::create(b, loc, getRhs().getType(), cot[0],
                                           getLhs(), getStride(), getDilation(),
                                           getGroups()));
  return success();
}
EMBER_VJP(ConvWeightGradOp) {
  Location loc = getLoc();
  grads.push_back(ConvTransposeOp::create(b, loc, getLhs().getType(), getRhs(),
                                          cot[0], getStride(), getDilation(),
                                          getGroups()));
  grads.push_back(ConvOp::create(b, loc, getRhs().getType(), getLhs(), cot[0],
                                 getStride(), getDilation(), getGroups()));
  return success();
}

// Shape ops.
EMBER_VJP(ReshapeOp) {
  G g{b, getLoc()};
  grads.push_back(g.reshape(cot[0], getInput().getType()));
  return success();
}
EMBER_VJP(TransposeOp) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  grads.push_back(TransposeOp::create(b, getLoc(), cot[0], inverse));
  return success();
}
EMBER_VJP(SliceOp) {
  G g{b, getLoc()};
  Value zeros = g.full(getInput().getType(), 0.0);
  grads.push_back(InsertSliceOp::create(b, getLoc(), cot[0], zeros, getStart(),
                                        getStop(), getStep()));
  return success();
}
EMBER_VJP(InsertSliceOp) {
  G g{b, getLoc()};
  RankedTensorType src = getSource().getType();
  grads.push_back(SliceOp::create(b, getLoc(), src, cot[0], getStart(),
                                  getStop(), getStep()));
  grads.push_back(InsertSliceOp::create(b, getLoc(), g.full(src, 0.0), cot[0],
                                        getStart(), getStop(), getStep()));
  return success();
}
EMBER_VJP(ConcatOp) {
  int64_t dim = static_cast<int64_t>(getDim());
  RankedTensorType out = getType();
  int64_t offset = 0;
  for (Value input : getInputs()) {
    auto t = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> start(out.getRank(), 0), stop(out.getShape()),
        step(out.getRank(), 1);
    start[dim] = offset;
    stop[dim] = offset + t.getDimSize(dim);
    offset = stop[dim];
    grads.push_back(SliceOp::create(b, getLoc(), t, cot[0], start, stop, step));
  }
  return success();
}
EMBER_VJP(PadOp) {
  RankedTensorType in = getInput().getType();
  SmallVector<int64_t> start(getLow()), stop, step(in.getRank(), 1);
  for (int64_t i = 0; i < in.getRank(); ++i)
    stop.push_back(start[i] + in.getDimSize(i));
  grads.push_back(SliceOp::create(b, getLoc(), in, cot[0], start, stop, step));
  return success();
}

// gather: a one-hot scatter-add written with ember ops. For index shape I and
// gathered size n = input.shape[dim]: mask[i..., k] = (index[i...] == k),
// summed over `dim` of select(mask, g, 0), the k axis moved to `dim`, padded
// up to the input's shape. O(numel(index) * n): fine for class indices
// (cross-entropy), too much for embedding tables (needs a scatter op).
/// The adjoint of gathering `input` along `dim` at `index` (the gather's VJP
/// w.r.t. its input): each cotangent element is added back at the position it
/// was read from, as a one-hot scatter-add.
static Value scatterBack(OpBuilder &b, Location loc, RankedTensorType in,
                         Value index, int64_t dim, Value cotangent) {
  G g{b, loc};
  RankedTensorType idx = cast<RankedTensorType>(index.getType());
  int64_t rank = in.getRank(), n = in.getDimSize(dim);
  SmallVector<int64_t> withOne(idx.getShape()), wide(idx.getShape());
  withOne.push_back(1);
  wide.push_back(n);
  auto wideIdx = RankedTensorType::get(wide, idx.getElementType());
  Value e = g.expand(g.reshape(index, idx.clone(withOne)), wideIdx);
  // Negative indices count from the end, as the op reads them.
  Value n0 = FullOp::create(b, loc, wideIdx,
                            b.getIntegerAttr(idx.getElementType(), 0));
  Value nn = FullOp::create(b, loc, wideIdx,
                            b.getIntegerAttr(idx.getElementType(), n));
  e = g.select(LtOp::create(b, loc, e, n0), g.add(e, nn), e);
  Value k = IotaOp::create(b, loc, wideIdx, static_cast<uint64_t>(rank));
  Value mask = EqOp::create(b, loc, e, k);
  RankedTensorType gt = g.type(cotangent);
  auto wideG = RankedTensorType::get(wide, gt.getElementType());
  Value gw = g.expand(g.reshape(cotangent, gt.clone(withOne)), wideG);
  Value picked = g.select(mask, gw, g.full(wideG, 0.0));
  Value summed = SumOp::create(b, loc, picked, ArrayRef<int64_t>{dim});
  // Axes: idx dims without `dim`, then k; move k to `dim`.
  SmallVector<int64_t> perm;
  for (int64_t i = 0, j = 0; i < rank; ++i)
    perm.push_back(i == dim ? rank - 1 : j++);
  Value moved = TransposeOp::create(b, loc, summed, perm);
  RankedTensorType mt = g.type(moved);
  SmallVector<int64_t> low(rank, 0), high;
  for (int64_t i = 0; i < rank; ++i)
    high.push_back(in.getDimSize(i) - mt.getDimSize(i));
  if (llvm::all_of(high, [](int64_t h) { return h == 0; }))
    return moved;
  return PadOp::create(b, loc, moved, low, high,
                       b.getFloatAttr(in.getElementType(), 0.0));
}

EMBER_VJP(GatherOp) {
  Value grad = scatterBack(b, getLoc(), getInput().getType(), getIndex(),
                           static_cast<int64_t>(getDim()), cot[0]);
  grads.append({grad, Value()});
  return success();
}

// sort: the values are the input gathered at the indices.
EMBER_VJP(SortOp) {
  grads.push_back(scatterBack(b, getLoc(), getInput().getType(), getIndices(),
                              static_cast<int64_t>(getDim()), cot[0]));
  return success();
}

#undef EMBER_VJP
