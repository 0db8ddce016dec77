//! Integration tests: events (see the module docs of the area).
