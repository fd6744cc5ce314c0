//! Prints what one member sees, as JSON: `cargo run --example quickstart`.

use harmony_policy::{Context, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::builtin("harmony")?;
    let context = Context::from_json(
        r#"{
            "workspace": { "slug": "acme", "products": { "accounts": false } },
            "member": { "userId": "u_1", "roles": ["member"] },
            "memberships": ["acme", "beta"],
            "platform": "mac"
        }"#,
    )?;
    let view = policy.view(&context)?;
    println!("fingerprint {}", policy.fingerprint());
    println!("sidebar {}", serde_json::to_string_pretty(&view.sidebar())?);
    println!(
        "palette \"acc\" {}",
        serde_json::to_string_pretty(&view.palette("acc")?)?
    );
    println!(
        "resolve {}",
        serde_json::to_string(&view.resolve("/workspace/acme/accounts/7")?)?
    );
    println!("form {}", serde_json::to_string(&view.form("contact")?)?);
    Ok(())
}
