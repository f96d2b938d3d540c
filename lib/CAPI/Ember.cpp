//===- Ember.cpp - C API of the ember dialect and passes ------------------===//
#include "ember-c/Ember.h"
#include "ember/Dialect/Ember/IR/EmberDialect.h"
#include "ember/Transforms/Passes.h"

#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(Ember, ember, mlir::ember::EmberDialect)

void emberRegisterPasses(void) { mlir::ember::registerEmberPasses(); }
