//! The `sockconf` command line.
fn main() {}
