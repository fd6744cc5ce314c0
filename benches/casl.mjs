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

/** A record decider with @casl/ability 7 for the same grants: `own` as the
 * condition `{ownerId: userId}`, `team` as `{teamId: {$in: teams}}` (and
 * own), `all` without conditions. Records are CASL subjects of their
 * resource type (`subject(resource, record)`, made once by the caller). */
export function recordDecider(context) {
  const { can, build } = new AbilityBuilder(createMongoAbility);
  const { userId, permissions = [], teams = [] } = context.member;
  for (const grant of permissions) {
    const [resource, action, scope] = grant.split(":");
    if (scope === "all") can(action, resource);
    else {
      can(action, resource, { ownerId: userId });
      if (scope === "team") can(action, resource, { teamId: { $in: teams } });
    }
  }
  const ability = build();
  return (action, record) => ability.can(action, record);
}
export { subject } from "@casl/ability";
