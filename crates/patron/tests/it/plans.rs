//! Plans, summaries and targets (A3, A4, B1).
