import type { LinkType } from "./registry";

// dummy devices accept addresses and report UNKNOWN when up, like lo.
export const dummyLink: LinkType = {
  kind: "dummy",
  userCreatable: true,
  carrier: () => true,
  operState: (i) => (i.adminUp ? "UNKNOWN" : "DOWN"),
  qdisc: "noqueue",
};
