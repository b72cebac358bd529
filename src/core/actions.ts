/** Every action SARK authorizes; policies match on these strings, so they are a public contract. */
export const ACTIONS = {
  serverRead: "server:read",
  serverRegister: "server:register",
  serverUpdate: "server:update",
  serverDelete: "server:delete",
  toolRead: "tool:read",
  toolInvoke: "tool:invoke",
  toolSensitivityUpdate: "tool:sensitivity:update",
  userRead: "user:read",
  userWrite: "user:write",
  apiKeyManage: "apikey:manage",
  apiKeyManageAll: "apikey:manage:all",
  auditRead: "audit:read",
  policyRead: "policy:read",
  policyWrite: "policy:write",
  policyEvaluate: "policy:evaluate",
  /** Evaluate on behalf of another user (or a made-up user document): admins in the default policy. */
  policyEvaluateAsUser: "policy:evaluate:as_user",
  siemRead: "siem:read",
  siemTest: "siem:test",
} as const;

export type Action = (typeof ACTIONS)[keyof typeof ACTIONS] | (string & {});
