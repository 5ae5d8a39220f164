import type { Tool } from "../../tool";

export const ipTools: Tool[] = [];
