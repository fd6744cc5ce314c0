// A small React app on harmony-policy/react: the sidebar, a billing link
// and an edit button follow the policy's answers for the chosen member and
// product state. Build: node examples/react/build.mjs (esbuild).
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import init, { Policy } from "harmony-policy";
import { Can, PolicyProvider, useView } from "harmony-policy/react";

function Sidebar() {
  const view = useView();
  return (
    <nav aria-label="Sidebar">
      <ul>
        {view.sidebar().map((item) => (
          <li key={item.id} data-id={item.id}>
            <a href={item.href}>{item.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function App({ policy }) {
  const [accounts, setAccounts] = useState(true);
  const [role, setRole] = useState("admin");
  // A new object on every render: the provider keeps one view per value.
  const context = {
    workspace: { slug: "acme", products: { accounts } },
    member: { userId: "u_ann", roles: [role] },
    memberships: ["acme"],
  };
  return (
    <PolicyProvider policy={policy} context={context}>
      <label>
        <input type="checkbox" checked={accounts} onChange={(e) => setAccounts(e.target.checked)} /> Accounts
      </label>
      <label>
        Role{" "}
        <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="admin">Admin</option>
          <option value="member">Member</option>
        </select>
      </label>
      <Sidebar />
      <Can permission="billing:read:all" fallback={<p id="no-billing">Billing is for admins.</p>}>
        <a id="billing" href="/workspace/acme/settings/subscription">Billing</a>
      </Can>
      <Can permission="conversations:update" record={{ ownerId: "u_bo" }}>
        <button id="edit-call">Edit Bo's call notes</button>
      </Can>
    </PolicyProvider>
  );
}

await init();
createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App policy={Policy.builtin()} />
  </StrictMode>,
);
document.documentElement.dataset.ready = "true";
