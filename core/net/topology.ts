// A lab topology as data: machines, the cables and switches between them, and the commands that bring
// each machine to its starting state. The simulator builds it (core/net/build.ts) and the differential
// tests build the same thing on the real kernel, so one description serves both.

export interface TopologySpec {
  /** Layer-2 switches (plain learning switches; the real-kernel runner uses a bridge per switch). */
  switches?: string[];
  machines: MachineSpec[];
}

export interface MachineSpec {
  /** Host name; also the name scripts use after `@`. */
  name: string;
  /** Physical NICs. Each is cabled to a switch (`switch:NAME`) or to another machine's NIC (`MACHINE:IFACE`). */
  nics?: NicSpec[];
  /** Shell command lines run at this machine's prompt, in order, to reach the starting state. */
  setup?: string[];
  /** Files on the machine's disk (persist across reboot), e.g. /etc/sysctl.conf. */
  files?: Record<string, string>;
}

export interface NicSpec {
  name: string;
  /** `switch:sw1` or `host-b:eth1`; omitted = no cable (NO-CARRIER). */
  link?: string;
  /** Fixed MAC (labs that print MACs use it); otherwise allocated deterministically. */
  mac?: string;
}
