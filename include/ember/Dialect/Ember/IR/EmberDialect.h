//===- EmberDialect.h - The ember dialect -----------------------*- C++ -*-===//
#ifndef EMBER_DIALECT_EMBER_IR_EMBERDIALECT_H
#define EMBER_DIALECT_EMBER_IR_EMBERDIALECT_H

#include "mlir/IR/Dialect.h"

#include "ember/Dialect/Ember/IR/EmberDialect.h.inc"

#endif // EMBER_DIALECT_EMBER_IR_EMBERDIALECT_H
