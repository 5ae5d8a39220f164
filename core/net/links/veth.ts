import type { LinkType } from "./registry";
import { etherLikeOperState } from "./registry";

// A virtual cable: each end has carrier only while the other end is administratively up.
export const vethLink: LinkType = {
  kind: "veth",
  userCreatable: true,
  carrier: (i) => !!i.peer && i.peer.adminUp,
  operState: (i) => (i.adminUp && !i.carrier ? i.noCarrierState : etherLikeOperState(i)),
  qdisc: "noqueue",
};
