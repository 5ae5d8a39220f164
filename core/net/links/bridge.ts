import type { LinkType } from "./registry";

// A Linux bridge is up with carrier as soon as it is set up (kernel 6.x reports an empty bridge as
// LOWER_UP/UNKNOWN, matching the reference capture); with ports it is UP once one port forwards.
export const bridgeLink: LinkType = {
  kind: "bridge",
  userCreatable: true,
  carrier: (i) => i.adminUp && (!i.ports || i.ports.size === 0 || [...i.ports].some((p) => p.running)),
  operState: (i) => {
    if (!i.adminUp) return "DOWN";
    const ports = [...(i.ports ?? [])];
    if (ports.length === 0) return "UNKNOWN";
    return ports.some((p) => p.running) ? "UP" : "DOWN";
  },
  qdisc: "noqueue",
};
