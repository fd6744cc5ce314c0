// harmony-policy/vue's types, compiled with tsc --strict against pkg/.
import { ref, type ComputedRef } from "vue";
import { providePolicy, useCan, useView } from "../../pkg/vue.js";
import { Policy, type HarmonyIds, type View } from "../../pkg/index.js";

export function setup(): void {
  const role = ref<"admin" | "member">("admin");
  const view: ComputedRef<View<HarmonyIds>> = providePolicy(Policy.builtin(), () => ({
    workspace: { slug: "acme" },
    member: { userId: "u_1", roles: [role.value] },
  }));
  const again: ComputedRef<View<HarmonyIds>> = useView<HarmonyIds>();
  const billing: ComputedRef<boolean> = useCan<HarmonyIds>("billing:read:all");
  const edit: ComputedRef<boolean> = useCan<HarmonyIds>("contacts:update", () => ({ ownerId: "u_2" }));
  // @ts-expect-error a permission of the ruleset's vocabulary
  useCan<HarmonyIds>("billing-read");
  void [view, again, billing, edit];
}
