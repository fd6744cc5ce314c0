//! Native benchmarks of the budgets in the performance issue: `can`,
//! `policy.view(context)`, `resolve`, `check_request`, and a whole
//! navigation model (sidebar, palette with an empty query, the contact form
//! and ten route decisions). Run with `cargo bench`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use harmony_policy::{ApiRequest, Context, Policy, Record};
    use std::hint::black_box;

    include!("support/workload.rs");

    fn context() -> Context {
        Context::from_json(CONTEXT).unwrap()
    }

    fn benches(c: &mut Criterion) {
        let policy = Policy::builtin("harmony").unwrap();
        let ctx = context();
        let view = policy.view(&ctx).unwrap();

        c.bench_function("can", |b| {
            b.iter(|| view.can(black_box("contacts:create:own")).unwrap())
        });
        let id = policy.permission("contacts:create:own").unwrap();
        c.bench_function("can_id", |b| b.iter(|| view.can_id(black_box(id))));
        // A record checked against the member's widest scope (SPEC 11).
        let rep = Context::from_json(
            r#"{"workspace":{"slug":"acme"},"member":{"userId":"u_1","roles":[],
            "permissions":["contacts:update:team"],"teams":["t_1"]},"memberships":["acme"]}"#,
        )
        .unwrap();
        let rep_view = policy.view(&rep).unwrap();
        let record = Record::new(Some("u_2"), Some("t_1"));
        c.bench_function("can_record", |b| {
            b.iter(|| {
                rep_view
                    .can_record(black_box("contacts:update"), black_box(&record))
                    .unwrap()
            })
        });
        c.bench_function("filter", |b| {
            b.iter(|| rep_view.filter(black_box("contacts:update")).unwrap())
        });
        c.bench_function("view", |b| b.iter(|| policy.view(black_box(&ctx)).unwrap()));
        c.bench_function("resolve", |b| {
            b.iter(|| {
                view.resolve(black_box("/workspace/acme/contacts/c_1"))
                    .unwrap()
            })
        });
        c.bench_function("resolve_redirect", |b| {
            b.iter(|| {
                view.resolve(black_box("/workspace/acme/accounts/a_1"))
                    .unwrap()
            })
        });
        let request = ApiRequest {
            method: "POST".into(),
            path: "/api/contacts".into(),
            body: Some(serde_json::json!({ "name": "Ada", "accountId": "a_1" })),
            record: None,
        };
        c.bench_function("check_request", |b| {
            b.iter(|| view.check_request(black_box(&request)).unwrap().is_ok())
        });
        c.bench_function("navigation_model", |b| {
            b.iter(|| {
                let sidebar = view.sidebar();
                let palette = view.palette("").unwrap();
                let form = view.form("contact").unwrap();
                let mut kinds = 0usize;
                for r in ROUTES {
                    kinds += matches!(
                        view.resolve(r).unwrap(),
                        harmony_policy::Resolution::Allow { .. }
                    ) as usize;
                }
                black_box((sidebar.len(), palette.len(), form.len(), kinds))
            })
        });
        c.bench_function("palette_query", |b| {
            b.iter(|| view.palette(black_box("acc")).unwrap().len())
        });
        c.bench_function("builtin_load_from_json", |b| {
            let text = Policy::builtin_source("harmony").unwrap();
            b.iter(|| Policy::from_json(black_box(text)).unwrap())
        });
        c.bench_function("builtin_load_from_bundle", |b| {
            let bytes = Policy::builtin("harmony").unwrap().to_bundle();
            b.iter(|| Policy::from_bundle(black_box(&bytes)).unwrap())
        });
    }

    criterion_group! {
        name = policy;
        config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
        targets = benches
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::policy);

/// The benchmarks measure the native library; on wasm32 there is nothing to run.
#[cfg(target_arch = "wasm32")]
fn main() {}
