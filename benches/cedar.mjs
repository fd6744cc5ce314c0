// The permission decider of the navigation model with Cedar
// (@cedar-policy/cedar-wasm 4): one pre-parsed policy set, and one
// `statefulIsAuthorized` call per check, the member as an entity whose
// `grants` attribute holds every permission its roles and grants cover.
import { preparsePolicySet, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/nodejs";

const SCOPES = ["own", "team", "all"];
const POLICIES = 'permit(principal, action == Action::"hold", resource) when { principal.grants.contains(context.permission) };';

export function prepare() {
  const answer = preparsePolicySet("navigation", { staticPolicies: POLICIES });
  if (answer.type !== "success") throw new Error(JSON.stringify(answer));
}

function covered(model, grant) {
  const [resource, action, scope] = grant.split(":");
  const resources = resource === "*" ? model.doc.permissions.resources : [resource];
  const actions = action === "*" ? model.doc.permissions.actions : [action];
  return resources.flatMap((r) => actions.flatMap((a) => SCOPES.slice(0, SCOPES.indexOf(scope) + 1).map((s) => `${r}:${a}:${s}`)));
}

export function decider(model, context) {
  const grants = [...(context.member.roles ?? []).flatMap((r) => model.roles[r] ?? []), ...(context.member.permissions ?? [])];
  const principal = { type: "User", id: context.member.userId };
  const entities = [{ uid: principal, attrs: { grants: [...new Set(grants.flatMap((g) => covered(model, g)))] }, parents: [] }];
  return (permission) => {
    const answer = statefulIsAuthorized({
      principal,
      action: { type: "Action", id: "hold" },
      resource: { type: "Permission", id: permission },
      context: { permission },
      preparsedPolicySetId: "navigation",
      entities,
    });
    if (answer.type !== "success") throw new Error(JSON.stringify(answer));
    return answer.response.decision === "allow";
  };
}
