//! A fixed workload for instruction-count profiling of `resolve`, which is
//! repeatable on a noisy machine where wall-clock benchmarks are not:
//!
//! ```sh
//! cargo build --release --example profile_resolve
//! valgrind --tool=callgrind target/release/examples/profile_resolve
//! callgrind_annotate callgrind.out.*
//! ```
//!
//! Divide the total by 100 000 for instructions per call.

#![allow(clippy::unwrap_used)]

use harmony_policy::{Context, Policy};
fn main() {
    let policy = Policy::builtin("harmony").unwrap();
    let ctx = Context::from_json(r#"{"workspace":{"slug":"acme","products":{"accounts":false}},"member":{"userId":"u","roles":["member"]},"memberships":["acme","beta"]}"#).unwrap();
    let view = policy.view(&ctx).unwrap();
    let mut n = 0usize;
    for _ in 0..100_000 {
        n += matches!(
            view.resolve(std::hint::black_box("/workspace/acme/contacts/c_1"))
                .unwrap(),
            harmony_policy::Resolution::Allow { .. }
        ) as usize;
    }
    println!("{n}");
}
