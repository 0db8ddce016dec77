//! Customers: visits.
