import { v7 as uuidv7 } from "uuid";
import { ACTIONS } from "../core/actions.js";
import { type AuditRecorder, auditActorOf } from "../core/audit.js";
import type { Caller } from "../core/caller.js";
import type { Sensitivity } from "../core/sensitivity.js";
import { notFound } from "../platform/errors.js";
import { detectSensitivity, type SensitivityDetection, type SensitivityInput } from "./classifier.js";
import { isLowering, policyServer, policyTool, toTool } from "./mapping.js";
import {
  findToolRow,
  historyRows,
  insertHistoryRow,
  type ServerRow,
  setToolSensitivity,
  toolRowsOf,
} from "./repository.js";
import type { RegistryCore } from "./service.js";
import type { SensitivityChange, Tool } from "./types.js";

/** Loads a server or throws 404 (the CRUD service's `load`). */
type LoadServer = (id: string) => Promise<ServerRow>;

/** Tools of a server, their sensitivity overrides with history, and the classifier endpoint. */
export function createToolService(core: RegistryCore, audit: AuditRecorder, loadServer: LoadServer) {
  const { db } = core;

  async function list(caller: Caller, serverId: string): Promise<{ items: Tool[] }> {
    const server = await loadServer(serverId);
    await core.authorize(caller, ACTIONS.serverRead, { server: policyServer(server) });
    return { items: (await toolRowsOf(db, serverId)).map(toTool) };
  }

  async function loadTool(serverId: string, name: string) {
    const server = await loadServer(serverId);
    const tool = await findToolRow(db, serverId, name);
    if (!tool) throw notFound(`tool on server '${serverId}'`, name);
    return { server, tool };
  }

  /**
   * A reviewed override of a tool's sensitivity. The change and its history row commit together,
   * so there is never an override without a who/when/why.
   */
  async function setSensitivity(
    caller: Caller,
    serverId: string,
    name: string,
    level: Sensitivity,
    reason: string,
  ): Promise<Tool> {
    const { server, tool } = await loadTool(serverId, name);
    await core.authorize(caller, ACTIONS.toolSensitivityUpdate, {
      server: policyServer(server),
      tool: policyTool(tool),
    });
    const at = core.now();
    const updated = await db.transaction().execute(async (tx) => {
      const row = await setToolSensitivity(tx, tool.id, level, at);
      await insertHistoryRow(tx, {
        id: uuidv7(),
        tool_id: tool.id,
        previous_level: tool.sensitivity_level,
        new_level: level,
        reason,
        changed_by: caller.principal.id,
        changed_at: at,
      });
      await audit.recordInTransaction(tx, {
        event_type: "tool.sensitivity_changed",
        // Lowering a level loosens controls downstream: worth a reviewer's attention.
        severity: isLowering(tool.sensitivity_level, level) ? "high" : "medium",
        outcome: "success",
        actor: auditActorOf(caller),
        action: ACTIONS.toolSensitivityUpdate,
        resource: { type: "server", id: server.id, name: server.name },
        request_id: caller.request.requestId,
        details: { tool: tool.name, previous_level: tool.sensitivity_level, new_level: level, reason },
      });
      return row;
    });
    return toTool(updated);
  }

  async function history(caller: Caller, serverId: string, name: string): Promise<{ items: SensitivityChange[] }> {
    const { server, tool } = await loadTool(serverId, name);
    await core.authorize(caller, ACTIONS.serverRead, { server: policyServer(server), tool: policyTool(tool) });
    const rows = await historyRows(db, tool.id);
    return {
      items: rows.map((r) => ({
        id: r.id,
        previous_level: r.previous_level,
        new_level: r.new_level,
        reason: r.reason,
        changed_by: { id: r.changed_by, username: r.changed_by_username },
        changed_at: new Date(r.changed_at).toISOString(),
      })),
    };
  }

  async function detect(caller: Caller, input: SensitivityInput): Promise<SensitivityDetection> {
    await core.authorize(caller, ACTIONS.toolRead);
    return detectSensitivity(input);
  }

  return { list, setSensitivity, history, detect };
}
