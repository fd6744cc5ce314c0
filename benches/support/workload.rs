// The native navigation workload, shared by the criterion benchmark
// (`benches/policy.rs`) and the callgrind workload
// (`examples/profile_navigation.rs`) through `include!`, so both measure the
// same thing.

/// The ten route decisions of the navigation model.
const ROUTES: [&str; 10] = [
    "/workspace/acme",
    "/workspace/acme/conversations",
    "/workspace/acme/contacts/c_1",
    "/workspace/acme/accounts/a_1",
    "/workspace/acme/data-lake/projects/new",
    "/workspace/acme/feedback",
    "/workspace/acme/settings/products",
    "/workspace/beta/contacts",
    "/workspace/acme/nope",
    "/workspace/acme/contacts/../accounts",
];

/// The member the model is built for.
const CONTEXT: &str = r#"{"workspace":{"slug":"acme","products":{"accounts":false,"feedback":true},"plan":"agency"},
    "member":{"userId":"u_1","roles":["member"],"permissions":["billing:read:all"],"landingPage":"contacts"},
    "memberships":["acme","beta"],"platform":"mac"}"#;
