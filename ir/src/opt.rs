//! Optimisation passes over the IR.

