import type { LinkType } from "./registry";

// lo has no carrier concept: when up it reports state UNKNOWN, as on Linux.
export const loopbackLink: LinkType = {
  kind: "loopback",
  userCreatable: false,
  carrier: () => true,
  operState: (i) => (i.adminUp ? "UNKNOWN" : "DOWN"),
  qdisc: "noqueue",
};
