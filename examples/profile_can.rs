//! A fixed workload for instruction-count profiling of `View::can` with a
//! permission given as text (the hash lookup and the bit test):
//!
//! ```sh
//! cargo build --release --example profile_can
//! valgrind --tool=callgrind target/release/examples/profile_can
//! callgrind_annotate callgrind.out.*
//! ```
//!
//! Divide the total by 1 000 000 for instructions per call (the one-off
//! loading of the policy is a few percent of it).

#![allow(clippy::unwrap_used)]

use harmony_policy::{Context, Policy};

fn main() {
    let policy = Policy::builtin("harmony").unwrap();
    let ctx = Context::from_json(
        r#"{"workspace":{"slug":"acme"},"member":{"userId":"u","roles":["member"]}}"#,
    )
    .unwrap();
    let view = policy.view(&ctx).unwrap();
    let permissions = [
        "contacts:create:own",
        "billing:read:all",
        "roles:*:all",
        "accounts:read:own",
    ];
    let mut n = 0usize;
    for i in 0..1_000_000 {
        let permission = permissions.get(i % 4).copied().unwrap_or_default();
        n += view.can(std::hint::black_box(permission)).unwrap() as usize;
    }
    println!("{n}");
}
