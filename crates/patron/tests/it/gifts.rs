//! Integration tests: gifts (see the module docs of the area).
