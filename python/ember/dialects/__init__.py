"""MLIR dialects defined by Ember (Python op builders generated from ODS)."""
