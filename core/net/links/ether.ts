import type { LinkType } from "./registry";
import { etherLikeOperState } from "./registry";

// A physical NIC: carrier comes from the cable (a switch port is always live; a direct cable needs the
// NIC at the other end to be up).
export const etherLink: LinkType = {
  kind: "ether",
  userCreatable: false,
  carrier: (i) => (i.cable ? i.cable.carrierFor(i) : false),
  operState: (i) => (i.adminUp && !i.carrier ? "DOWN" : etherLikeOperState(i)),
  qdisc: "fq_codel",
};
