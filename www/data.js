// Sample data and its persistence in localStorage. This file holds records
// only: which of them a member may see or change is decided by the policy
// (pkg/), never here.

const KEY = "harmony-demo-v3";
const DAY = 86_400_000;

export const USERS = [
  { id: "u_ada", name: "Ada Lovelace", email: "ada@acme.example" },
  { id: "u_bob", name: "Bob Marley", email: "bob@acme.example" },
  { id: "u_cy", name: "Cy Twombly", email: "cy@beta.example" },
  { id: "u_dee", name: "Dee Dee Bridgewater", email: "dee@acme.example" },
  { id: "u_eve", name: "Eve Santos", email: "eve@acme.example" },
];

/** Eve's grants in Harmony: a sales rep who works on her own contacts and
 * reads her team's conversations (extra grants, no ruleset role). */
/** A role Acme defined for itself (Settings → Roles): customer success
 * managers work on their team's contacts and read every conversation. */
const SUCCESS = ["conversations:read:all", "contacts:read:all", "contacts:update:team", "accounts:read:all", "projects:read:team", "feedback:read:own"];

const SALES_REP = ["contacts:read:own", "contacts:create:own", "contacts:update:own", "contacts:delete:own", "conversations:read:team", "accounts:read:all"];

function sample(now) {
  return {
    version: 3,
    ruleset: "harmony",
    workspace: "acme",
    actingAs: "u_ada",
    users: USERS.map((u) => ({ ...u, preferences: { "recording.autoJoin": false } })),
    workspaces: {
      acme: {
        slug: "acme",
        name: "Acme Corp",
        plan: "agency",
        flags: ["auto_join"],
        settings: { "recording.autoJoin": true },
        products: {},
        members: {
          harmony: [
            { userId: "u_ada", role: "admin", active: true },
            { userId: "u_bob", role: "member", active: true, landingPage: "contacts" },
            { userId: "u_dee", role: "r_success", active: true },
            { userId: "u_eve", role: "", permissions: SALES_REP, active: true, landingPage: "contacts" },
          ],
          harmonia: [
            { userId: "u_ada", role: "owner", active: true },
            { userId: "u_bob", role: "member", active: true },
            { userId: "u_dee", role: "admin", active: true },
            { userId: "u_eve", role: "member", active: true },
          ],
        },
        roles: { harmony: [{ id: "r_success", label: "Customer success", grants: SUCCESS }], harmonia: [] },
        invites: [
          { id: "i_1", email: "gus@acme.example", role: "member", sentAt: now - 2 * DAY },
          { id: "i_2", email: "fay@acme.example", role: "member", sentAt: now - 20 * DAY },
        ],
        teams: [
          { id: "t_sales", name: "Sales", members: ["u_bob", "u_eve"] },
          { id: "t_success", name: "Customer Success", members: ["u_dee"] },
        ],
        accounts: [
          { id: "a_1", name: "Globex", domain: "globex.example", ownerId: "u_ada" },
          { id: "a_2", name: "Initech", domain: "initech.example", ownerId: "u_bob", teamId: "t_sales" },
        ],
        contacts: [
          { id: "c_1", name: "Hank Scorpio", email: "hank@globex.example", phone: "+1 555 0101", accountId: "a_1", ownerId: "u_bob", teamId: "t_sales" },
          { id: "c_2", name: "Peter Gibbons", email: "peter@initech.example", phone: "+1 555 0102", accountId: "a_2", ownerId: "u_eve", teamId: "t_sales" },
          { id: "c_3", name: "Milton Waddams", email: "milton@initech.example", phone: "", accountId: "a_2", ownerId: "u_dee", teamId: "t_success" },
          { id: "c_4", name: "Jane Doe", email: "jane@example.com", phone: "+1 555 0104", accountId: null, ownerId: "u_ada" },
        ],
        projects: [
          { id: "p_1", name: "Churn signals", criteria: "Customer mentions a competitor or pricing", knowledge: "Pricing sheet 2026", ownerId: "u_ada" },
          { id: "p_2", name: "Onboarding friction", criteria: "Setup questions in the first 30 days", knowledge: "", ownerId: "u_dee", teamId: "t_success" },
        ],
        conversations: [
          { id: "m_1", title: "Globex renewal call", when: "Mon 10:00", with: "Hank Scorpio", summary: "Renewal on track; asked about the Q3 roadmap.", ownerId: "u_eve", teamId: "t_sales" },
          { id: "m_2", title: "Initech discovery", when: "Tue 14:30", with: "Peter Gibbons", summary: "Pain: TPS reports. Next step: technical demo.", ownerId: "u_bob", teamId: "t_sales" },
          { id: "m_3", title: "Weekly pipeline review", when: "Fri 09:00", with: "Sales team", summary: "Three deals moved to negotiation.", ownerId: "u_dee", teamId: "t_success" },
        ],
      },
      beta: {
        slug: "beta",
        name: "Beta Labs",
        plan: "starter",
        flags: [],
        settings: {},
        products: { feedback: true },
        members: {
          harmony: [
            { userId: "u_cy", role: "admin", active: true },
            { userId: "u_ada", role: "member", active: true },
          ],
          harmonia: [
            { userId: "u_cy", role: "owner", active: true },
            { userId: "u_ada", role: "member", active: true },
          ],
        },
        roles: { harmony: [], harmonia: [] },
        invites: [],
        teams: [],
        accounts: [{ id: "a_9", name: "Umbrella", domain: "umbrella.example", ownerId: "u_cy" }],
        contacts: [{ id: "c_9", name: "Alice Abernathy", email: "alice@umbrella.example", phone: "", accountId: "a_9", ownerId: "u_cy" }],
        projects: [],
        conversations: [{ id: "m_9", title: "Umbrella kickoff", when: "Wed 11:00", with: "Alice Abernathy", summary: "Scope agreed.", ownerId: "u_cy" }],
      },
    },
  };
}

export function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (saved && saved.version === 3) return saved;
  } catch {
    // A broken entry is replaced by the sample data.
  }
  return sample(Date.now());
}

export function save(state) {
  localStorage.setItem(KEY, JSON.stringify(state));
}

export function reset() {
  const fresh = sample(Date.now());
  save(fresh);
  return fresh;
}

export function newId(prefix) {
  return `${prefix}_${Math.random().toString(36).slice(2, 8)}`;
}
