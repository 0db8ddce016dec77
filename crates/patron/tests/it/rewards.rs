//! Integration tests: rewards (see the module docs of the area).
