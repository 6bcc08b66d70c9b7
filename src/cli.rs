//! Command line (under construction).
pub fn main() -> i32 {
    0
}
