//! The vmtrans runtime.
