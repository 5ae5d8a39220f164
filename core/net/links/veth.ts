import type { LinkType } from "./registry";
import { etherLikeOperState } from "./registry";

// A virtual cable: each end has carrier only while the other end is administratively up.
export const vethLink: LinkType = {
  kind: "veth",
  userCreatable: true,
  carrier: (i) => !!i.peer && i.peer.adminUp,
  operState: etherLikeOperState,
  qdisc: "noqueue",
};
