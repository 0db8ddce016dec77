//! Integration tests: partners (see the module docs of the area).
