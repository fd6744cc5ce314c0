// The permission decider of the navigation model with @casl/ability 7:
// each grant `resource:action:scope` becomes CASL rules with the scope in the
// subject, a grant at `all` also covering `team` and `own`, `*` becoming
// `manage` or `all`.
import { AbilityBuilder, createMongoAbility } from "@casl/ability";

const SCOPES = ["own", "team", "all"];

export function decider(model, context) {
  const { can, build } = new AbilityBuilder(createMongoAbility);
  const grants = [...(context.member.roles ?? []).flatMap((r) => model.roles[r] ?? []), ...(context.member.permissions ?? [])];
  for (const grant of grants) {
    const [resource, action, scope] = grant.split(":");
    for (const s of SCOPES.slice(0, SCOPES.indexOf(scope) + 1)) {
      can(action === "*" ? "manage" : action, resource === "*" ? "all" : `${resource}:${s}`);
    }
  }
  const ability = build();
  return (permission) => {
    const [resource, action, scope] = permission.split(":");
    return ability.can(action, `${resource}:${scope}`);
  };
}
