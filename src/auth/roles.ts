/** The fixed role catalogue; user create/update accept only these. Policies match on the names. */
export const ROLES = ["admin", "security_admin", "developer", "analyst", "viewer"] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
