#!/usr/bin/env node
// Entry point of the headless CLI: loads the TypeScript engine through tsx and hands over.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../core/cli/main.ts");
// Exit explicitly: background jobs of a preset (servers) would otherwise keep the process alive.
process.exit(await main(process.argv.slice(2)));
