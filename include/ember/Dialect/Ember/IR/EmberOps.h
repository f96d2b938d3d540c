//===- EmberOps.h - ember dialect operations --------------------*- C++ -*-===//
#ifndef EMBER_DIALECT_EMBER_IR_EMBEROPS_H
#define EMBER_DIALECT_EMBER_IR_EMBEROPS_H

#include "ember/Dialect/Ember/IR/EmberDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ember/Dialect/Ember/IR/EmberInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ember/Dialect/Ember/IR/EmberOps.h.inc"

#endif // EMBER_DIALECT_EMBER_IR_EMBEROPS_H
