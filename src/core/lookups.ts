import type { PolicyServer, PolicyTool, PolicyUser } from "./policy-input.js";

/**
 * Stored users as a policy input sees them. The auth feature owns users; other features (the
 * evaluate API's "on behalf of" lookup) ask through this instead of reading its tables.
 */
export interface UserLookup {
  /** The user with this id (a UUID-shaped reference) or username (case-insensitive); null when none. */
  findUser(idOrUsername: string): Promise<PolicyUser | null>;
}

/**
 * Registered servers and tools as a policy input sees them. The registry feature owns them; other
 * features ask through this instead of reading its tables.
 */
export interface ServerLookup {
  /** The server with this id; null when none. */
  findServer(id: string): Promise<PolicyServer | null>;
  /** The server with this name (case-insensitive, as names are unique); null when none. */
  findServerByName(name: string): Promise<PolicyServer | null>;
  /** The tool with this name on the server with this id; null when none. */
  findTool(serverId: string, toolName: string): Promise<PolicyTool | null>;
}
