//! Backups and restores (SPEC N2), the receipt and customer imports (N3) and one member's data
//! as a file (B11), through the library, the real server and the command line's use cases.

mod backups;
mod imports;
mod member_data;
