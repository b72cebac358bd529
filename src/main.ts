import { runCli } from "./cli/run.js";

// `serve` resolves with undefined and keeps the process alive; every other command exits with its code.
const code = await runCli(process.argv.slice(2));
if (code !== undefined) process.exit(code);
