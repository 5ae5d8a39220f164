import type { Tool } from "../../tool";

export const probeTools: Tool[] = [];
