import type { Tool } from "../../tool";

export const netToolsTools: Tool[] = [];
