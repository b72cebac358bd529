/** Errors raised by the Rego engine. Both carry enough location to point a policy author at the fault. */

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

function render(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

/** Parsing or compiling failed; `diagnostics` lists every problem found (at least one). */
export class RegoCompileError extends Error {
  override readonly name = "RegoCompileError";
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(render).join("\n"));
    this.diagnostics = diagnostics;
  }

  static at(loc: Location, message: string): RegoCompileError {
    return new RegoCompileError([{ file: loc.file, line: loc.line, col: loc.col, message }]);
  }
}

/** Evaluation failed (conflicting outputs, builtin error in strict mode, step budget exhausted). */
export class RegoEvalError extends Error {
  override readonly name: string = "RegoEvalError";
  readonly location: Location | undefined;

  constructor(message: string, location?: Location) {
    super(location ? `${location.file}:${location.line}:${location.col}: ${message}` : message);
    this.location = location;
  }
}

/**
 * A budget, deadline or size limit was exceeded (see limits.ts). Strict and non-strict mode alike
 * propagate it, so the caller fails closed.
 */
export class RegoLimitError extends RegoEvalError {
  override readonly name = "RegoLimitError";
}
