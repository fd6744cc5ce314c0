//! A fixed workload for instruction-count profiling of the native
//! navigation model (sidebar, palette with an empty query, the contact form
//! and ten route decisions), like `profile_resolve`:
//!
//! ```sh
//! cargo build --release --example profile_navigation
//! valgrind --tool=callgrind target/release/examples/profile_navigation
//! ```
//!
//! Divide the total by 10 000 for instructions per model.

#![allow(clippy::unwrap_used)]

use harmony_policy::{Context, Policy, Resolution};

include!("../benches/support/workload.rs");

fn main() {
    let policy = Policy::builtin("harmony").unwrap();
    let ctx = Context::from_json(CONTEXT).unwrap();
    let view = policy.view(&ctx).unwrap();
    let mut n = 0usize;
    for _ in 0..10_000 {
        n += view.sidebar().len()
            + view.palette("").unwrap().len()
            + view.form("contact").unwrap().len();
        for r in ROUTES {
            n += matches!(view.resolve(r).unwrap(), Resolution::Allow { .. }) as usize;
        }
    }
    println!("{n}");
}
