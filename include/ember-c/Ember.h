/*===- Ember.h - C API of the ember dialect and passes ------------*- C -*-===*/
#ifndef EMBER_C_EMBER_H
#define EMBER_C_EMBER_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(Ember, ember);

/// Registers every ember pass and pipeline in the global registry (once).
MLIR_CAPI_EXPORTED void emberRegisterPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_C_EMBER_H */
