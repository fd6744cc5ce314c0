// The package in a bundled app: `init()` finds the .wasm, which the bundler
// emits as an asset beside the bundle; `Policy.fromJson` loads the
// authoring module (its own chunk and .wasm) only when called. No top-level
// await, so Vite's default build target (es2020 browsers) works as it is.
import init, { Policy } from "harmony-policy";

init()
  .then(() => {
    const policy = Policy.builtin();
    const view = policy.view({
      workspace: { slug: "acme", products: { accounts: false } },
      member: { userId: "u_1", roles: ["member"] },
    });
    const items = view.sidebar().map((item) => {
      const li = document.createElement("li");
      li.textContent = item.label;
      li.dataset.id = item.id;
      return li;
    });
    document.getElementById("sidebar").replaceChildren(...items);
    // A ruleset read from JSON has the fingerprint of the same ruleset
    // shipped compiled.
    return Policy.fromJson(policy.toJson()).then((loaded) => {
      document.documentElement.dataset.authoring = loaded.fingerprint === policy.fingerprint ? "same" : "different";
    });
  })
  .then(() => {
    document.documentElement.dataset.ready = "true";
  });
