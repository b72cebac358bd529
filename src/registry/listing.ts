import { ACTIONS } from "../core/actions.js";
import type { Caller, Principal } from "../core/caller.js";
import type { Sensitivity } from "../core/sensitivity.js";
import { validationFailed } from "../platform/errors.js";
import { decodeIdCursor, encodeCursor, type Page } from "../platform/http/pagination.js";
import { toServer } from "./mapping.js";
import { countServerRows, listServerRows, toolCounts } from "./repository.js";
import { LIMITS, UUID_PATTERN } from "./schemas.js";
import type { RegistryCore } from "./service.js";
import { SENSITIVITY_LEVELS, SERVER_STATUSES, type Server, type ServerFilters, type ServerStatus } from "./types.js";

/** Filters as they arrive in the query string: comma-separated lists mean "any of". */
export interface FilterQuery {
  status?: string;
  sensitivity?: string;
  tag?: string;
  team?: string;
  owner?: string;
  search?: string;
}

const MAX_VALUES = 50;
const uuid = new RegExp(UUID_PATTERN);

function splitList(field: string, raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = [...new Set(raw.split(",").map((v) => v.trim()))].filter((v) => v.length > 0);
  if (values.length === 0) return undefined;
  if (values.length > MAX_VALUES) {
    throw validationFailed(`too many values for ${field}`, [
      { path: `querystring/${field}`, message: `takes at most ${MAX_VALUES} comma-separated values` },
    ]);
  }
  return values;
}

function oneOf<T extends string>(field: string, values: string[] | undefined, allowed: readonly T[]): T[] | undefined {
  const bad = values?.filter((v) => !allowed.includes(v as T)) ?? [];
  if (bad.length > 0) {
    throw validationFailed(`unknown ${field} '${bad.join(",")}'`, [
      { path: `querystring/${field}`, message: `must be any of ${allowed.join(", ")}` },
    ]);
  }
  return values as T[] | undefined;
}

/** Parses and checks list filters; `owner=me` means the caller. */
export function parseFilters(q: FilterQuery, principal: Principal): ServerFilters {
  const owner = splitList("owner", q.owner)?.map((v) => (v === "me" ? principal.id : v));
  const badOwner = owner?.filter((v) => !uuid.test(v)) ?? [];
  if (badOwner.length > 0) {
    throw validationFailed(`owner '${badOwner.join(",")}' is not a user id`, [
      { path: "querystring/owner", message: "must be user ids (UUID) or 'me'" },
    ]);
  }
  const search = q.search?.trim();
  return {
    status: oneOf<ServerStatus>("status", splitList("status", q.status), SERVER_STATUSES),
    sensitivity: oneOf<Sensitivity>("sensitivity", splitList("sensitivity", q.sensitivity), SENSITIVITY_LEVELS),
    tag: splitList("tag", q.tag),
    team: splitList("team", q.team),
    owner,
    search: search ? search : undefined,
  };
}

export interface ListOptions extends FilterQuery {
  limit?: number;
  cursor?: string;
  include_total?: boolean;
}

/**
 * Keyset pagination over id (UUIDv7 = creation order): each page asks for `limit + 1` rows after
 * the cursor, so `has_more` needs no count and concurrent inserts cannot shift rows between pages.
 */
export function createServerListing(core: RegistryCore) {
  async function list(caller: Caller, options: ListOptions): Promise<Page<Server>> {
    await core.authorize(caller, ACTIONS.serverRead);
    const limit = Math.min(Math.max(options.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
    const filters = parseFilters(options, caller.principal);
    const after = decodeIdCursor(options.cursor);
    const rows = await listServerRows(core.db, filters, after, limit + 1);
    const page = rows.slice(0, limit);
    const counts = await toolCounts(
      core.db,
      page.map((r) => r.id),
    );
    const last = page.at(-1);
    const hasMore = rows.length > limit;
    return {
      items: page.map((r) => toServer(r, counts.get(r.id) ?? 0)),
      next_cursor: hasMore && last ? encodeCursor({ id: last.id }) : null,
      has_more: hasMore,
      ...(options.include_total ? { total: await countServerRows(core.db, filters) } : {}),
    };
  }

  return { list };
}
