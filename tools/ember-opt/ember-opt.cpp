//===- ember-opt.cpp - the ember optimizer driver -------------------------===//
#include "ember/Dialect/Ember/IR/EmberDialect.h"
#include "ember/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllPasses();
  registry.insert<mlir::ember::EmberDialect>();
  mlir::ember::registerEmberPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Ember optimizer driver\n", registry));
}
