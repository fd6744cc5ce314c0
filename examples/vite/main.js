// The package in a Vite app: `init()` finds the .wasm, which Vite emits as
// an asset beside the bundle. No top-level await, so Vite's default build
// target (es2020 browsers) works as it is.
import init, { Policy } from "harmony-policy";

init().then(() => {
  const view = Policy.builtin().view({
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
  document.documentElement.dataset.ready = "true";
});
