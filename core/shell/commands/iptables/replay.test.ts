// Replays a session recorded from the real iptables v1.8.9 (nf_tables) in a network namespace
// (fixtures/real-iptables-1.8.9.json: argv, stdout, stderr, exit code) against our iptables, byte for
// byte. Two normalisations only: the version string (we present v1.8.10) and, with -n, the protocol
// column, which 1.8.9 prints as a number and 1.8.10 as a name (see shared/reference/c-iptables.md).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Netfilter } from "../../../net/netfilter/index";
import { runIptables, runIptablesRestore } from "./index";

interface Step {
  section: string;
  argv?: string[];
  restore?: string;
  stdout: string;
  stderr: string;
  rc: number;
  numeric?: boolean;
}

const steps: Step[] = JSON.parse(readFileSync(new URL("./fixtures/real-iptables-1.8.9.json", import.meta.url), "utf8"));
const PROTO: Record<string, string> = { "0": "all", "1": "icmp", "6": "tcp", "17": "udp", "47": "gre" };

/** 1.8.9's numeric prot column ("6    --") as 1.8.10 prints it ("tcp  --"). */
function protoNames(out: string): string {
  return out
    .split("\n")
    .map((l) => l.replace(/([ !])(\d+)( *)-- /, (m, inv: string, num: string, sp: string) => (PROTO[num] ? inv + PROTO[num].padEnd(num.length + sp.length) + "-- " : m)))
    .join("\n");
}

function testEnv() {
  return {
    addrType: () => "UNICAST" as const,
    masqueradeSource: () => undefined,
    now: () => 0,
    random: () => 0.5,
  };
}

test("replay of a real iptables session", () => {
  const nf = new Netfilter(testEnv());
  const now = new Date(Date.UTC(2026, 10, 21, 20, 27, 13));
  const failures: string[] = [];
  for (const s of steps) {
    const r = s.restore !== undefined ? runIptablesRestore(["--noflush"], nf, { now, stdin: s.restore }) : runIptables(s.argv!, nf, { now });
    const want = { stdout: s.numeric ? protoNames(s.stdout) : s.stdout, stderr: s.stderr, rc: s.rc };
    const got = { stdout: r.stdout, stderr: r.stderr, rc: r.exitCode };
    try {
      assert.deepEqual(got, want);
    } catch {
      failures.push(`[${s.section}] iptables ${s.argv?.join(" ") ?? "-restore"}\n--- want\n${JSON.stringify(want, null, 1)}\n--- got\n${JSON.stringify(got, null, 1)}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length} of ${steps.length} steps differ:\n\n${failures.join("\n\n")}`);
});
