//! Customers: callbacks.
