import type { LinkType } from "./registry";

// VXLAN overlay endpoint (for the CNI modules): encapsulates frames in UDP to a remote VTEP.
// Carrier follows admin state; forwarding through it is handled by the packet walk.
export const vxlanLink: LinkType = {
  kind: "vxlan",
  userCreatable: true,
  carrier: (i) => i.adminUp,
  operState: (i) => (i.adminUp ? "UNKNOWN" : "DOWN"),
  qdisc: "noqueue",
};
