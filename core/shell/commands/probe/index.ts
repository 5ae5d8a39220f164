// Probing tools: ping, traceroute, nc, curl, echo-server and our own `trace`, all sending simulated
// packets through the packet walk (core/net/walk).
import type { Tool } from "../../tool";
import { pingTool } from "./ping";
import { ncTool } from "./nc";
import { curlTool } from "./curl";
import { echoServerTool } from "./echo-server";
import { tracerouteTool } from "./traceroute";
import { traceTool } from "./trace";

export const probeTools: Tool[] = [pingTool, tracerouteTool, ncTool, curlTool, echoServerTool, traceTool];
