// Sample data and its persistence in localStorage. This file holds records
// only: which of them a member may see or change is decided by the policy
// (pkg/), never here.

const KEY = "harmony-demo-v1";
const DAY = 86_400_000;

export const USERS = [
  { id: "u_ada", name: "Ada Lovelace", email: "ada@acme.example" },
  { id: "u_bob", name: "Bob Marley", email: "bob@acme.example" },
  { id: "u_cy", name: "Cy Twombly", email: "cy@beta.example" },
  { id: "u_dee", name: "Dee Dee Bridgewater", email: "dee@acme.example" },
];

function sample(now) {
  return {
    version: 1,
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
            { userId: "u_dee", role: "member", active: true },
          ],
          harmonia: [
            { userId: "u_ada", role: "owner", active: true },
            { userId: "u_bob", role: "member", active: true },
            { userId: "u_dee", role: "admin", active: true },
          ],
        },
        invites: [
          { id: "i_1", email: "eve@acme.example", role: "member", sentAt: now - 2 * DAY },
          { id: "i_2", email: "fay@acme.example", role: "member", sentAt: now - 20 * DAY },
        ],
        accounts: [
          { id: "a_1", name: "Globex", domain: "globex.example" },
          { id: "a_2", name: "Initech", domain: "initech.example" },
        ],
        contacts: [
          { id: "c_1", name: "Hank Scorpio", email: "hank@globex.example", phone: "+1 555 0101", accountId: "a_1" },
          { id: "c_2", name: "Peter Gibbons", email: "peter@initech.example", phone: "+1 555 0102", accountId: "a_2" },
          { id: "c_3", name: "Milton Waddams", email: "milton@initech.example", phone: "", accountId: "a_2" },
          { id: "c_4", name: "Jane Doe", email: "jane@example.com", phone: "+1 555 0104", accountId: null },
        ],
        projects: [
          { id: "p_1", name: "Churn signals", criteria: "Customer mentions a competitor or pricing", knowledge: "Pricing sheet 2026" },
          { id: "p_2", name: "Onboarding friction", criteria: "Setup questions in the first 30 days", knowledge: "" },
        ],
        conversations: [
          { id: "m_1", title: "Globex renewal call", when: "Mon 10:00", with: "Hank Scorpio", summary: "Renewal on track; asked about the Q3 roadmap." },
          { id: "m_2", title: "Initech discovery", when: "Tue 14:30", with: "Peter Gibbons", summary: "Pain: TPS reports. Next step: technical demo." },
          { id: "m_3", title: "Weekly pipeline review", when: "Fri 09:00", with: "Sales team", summary: "Three deals moved to negotiation." },
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
        invites: [],
        accounts: [{ id: "a_9", name: "Umbrella", domain: "umbrella.example" }],
        contacts: [{ id: "c_9", name: "Alice Abernathy", email: "alice@umbrella.example", phone: "", accountId: "a_9" }],
        projects: [],
        conversations: [{ id: "m_9", title: "Umbrella kickoff", when: "Wed 11:00", with: "Alice Abernathy", summary: "Scope agreed." }],
      },
    },
  };
}

export function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (saved && saved.version === 1) return saved;
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
