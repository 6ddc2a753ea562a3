"""Batch parameter studies: designs, run specs, executors, a resumable store, analysis."""
