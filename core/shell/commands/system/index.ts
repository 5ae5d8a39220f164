import type { Tool } from "../../tool";

export const systemTools: Tool[] = [];
