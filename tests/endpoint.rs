//! `Policy::endpoint`: the ruleset as a server's router.

#![cfg(not(target_arch = "wasm32"))]

use harmony_policy::Policy;

#[test]
fn finds_the_endpoint_and_its_parameters() {
    let policy = Policy::builtin("harmony").unwrap();
    let e = policy.endpoint("patch", "/api/contacts/c_1").unwrap();
    assert_eq!(
        (e.id, e.method, e.pattern),
        ("contacts.update", "PATCH", "/api/contacts/{id}")
    );
    assert_eq!(e.params.get("id"), Some("c_1"));
    assert_eq!(e.params.len(), 1);
    let e = policy.endpoint("POST", "/api/sync/hubspot").unwrap();
    assert_eq!(
        (e.id, e.params.get("integration")),
        ("sync.records", Some("hubspot"))
    );
    assert_eq!(
        policy.endpoint("GET", "/api/contacts").unwrap().id,
        "contacts.list"
    );
    assert_eq!(
        policy.endpoint("POST", "/api/contacts").unwrap().id,
        "contacts.create"
    );
}

#[test]
fn normalizes_the_path_as_check_request_does() {
    let policy = Policy::builtin("harmony").unwrap();
    let e = policy
        .endpoint("PATCH", "/API//contacts/c%5F1/?x=1#f")
        .unwrap();
    assert_eq!((e.id, e.params.get("id")), ("contacts.update", Some("c_1")));
    let e = policy.endpoint("GET", "/api/accounts/../contacts").unwrap();
    assert_eq!(e.id, "contacts.list");
}

#[test]
fn no_endpoint_for_other_methods_paths_or_bad_spellings() {
    let policy = Policy::builtin("harmony").unwrap();
    assert!(policy.endpoint("PUT", "/api/contacts").is_none());
    assert!(policy.endpoint("GET", "/api/nope").is_none());
    assert!(policy.endpoint("GET", "/api/contacts/%zz").is_none());
    assert!(policy.endpoint("GET", &"/a".repeat(5000)).is_none());
}

#[test]
fn every_endpoint_of_both_rulesets_routes_to_itself() {
    for name in harmony_policy::BUILTIN_NAMES {
        let policy = Policy::builtin(name).unwrap();
        let doc: serde_json::Value = serde_json::from_str(policy.to_json()).unwrap();
        let api = doc["api"].as_array().unwrap();
        assert!(!api.is_empty());
        for endpoint in api {
            let pattern = endpoint["path"].as_str().unwrap();
            let path = pattern
                .replace("{id}", "x_1")
                .replace("{integration}", "hubspot");
            let method = endpoint["method"].as_str().unwrap();
            let found = policy.endpoint(method, &path).unwrap();
            assert_eq!(
                found.id,
                endpoint["id"].as_str().unwrap(),
                "{name} {method} {path}"
            );
            assert_eq!(found.pattern, pattern);
        }
    }
}
