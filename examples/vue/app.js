// A small Vue app on harmony-policy/vue (render functions, no compiler):
// the sidebar and a billing link follow the policy's answers for the chosen
// role and product state. Build: node examples/vue/build.mjs (esbuild).
import { createApp, defineComponent, h, ref } from "vue";
import init, { Policy } from "harmony-policy";
import { providePolicy, useCan, useView } from "harmony-policy/vue";

const Sidebar = defineComponent(() => {
  const view = useView();
  return () => h("nav", { "aria-label": "Sidebar" }, h("ul", view.value.sidebar().map((item) => h("li", { key: item.id, "data-id": item.id }, item.label))));
});

const Billing = defineComponent(() => {
  const canBill = useCan("billing:read:all");
  return () => (canBill.value ? h("a", { id: "billing", href: "#" }, "Billing") : h("p", { id: "no-billing" }, "Billing is for admins."));
});

await init();
const policy = Policy.builtin();
const App = defineComponent(() => {
  const role = ref("admin");
  const accounts = ref(true);
  providePolicy(policy, () => ({
    workspace: { slug: "acme", products: { accounts: accounts.value } },
    member: { userId: "u_ann", roles: [role.value] },
    memberships: ["acme"],
  }));
  return () => [
    h("label", [h("input", { type: "checkbox", checked: accounts.value, onChange: (e) => (accounts.value = e.target.checked) }), " Accounts"]),
    h("select", { "aria-label": "Role", value: role.value, onChange: (e) => (role.value = e.target.value) }, [h("option", { value: "admin" }, "Admin"), h("option", { value: "member" }, "Member")]),
    h(Sidebar),
    h(Billing),
  ];
});
createApp(App).mount("#root");
document.documentElement.dataset.ready = "true";
