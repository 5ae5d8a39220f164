#!/usr/bin/env node
// Entry point of the headless CLI: loads the TypeScript engine through tsx and hands over.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../core/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
