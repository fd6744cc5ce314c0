// harmony-policy/react's types, compiled with tsc --strict against pkg/.
import { Can, PolicyProvider, useCan, useView } from "../../pkg/react.js";
import { Policy, type HarmonyIds, type View } from "../../pkg/index.js";

function Billing() {
  const view: View<HarmonyIds> = useView<HarmonyIds>();
  const canEdit: boolean = useCan<HarmonyIds>("contacts:update", { ownerId: "u_1" });
  // @ts-expect-error a permission of the ruleset's vocabulary
  useCan<HarmonyIds>("billing-read");
  return (
    <Can<HarmonyIds> permission="billing:read:all" fallback={<p>No billing</p>}>
      <p>{view.sidebar().length} {String(canEdit)}</p>
    </Can>
  );
}

export function App() {
  const policy = Policy.builtin();
  return (
    <PolicyProvider policy={policy} context={{ workspace: { slug: "acme" }, member: { userId: "u_1", roles: ["admin"] } }}>
      <Billing />
    </PolicyProvider>
  );
}
