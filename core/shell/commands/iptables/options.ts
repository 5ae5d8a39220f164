// iptables' option tables: commands as bits, the getopt short/long option lists, and which
// options each command accepts (commands_v_options).

import { paramError } from "./errors";
import type { LongOpt } from "./getopt";

export const CMD = {
  INSERT: 1 << 0,
  DELETE: 1 << 1,
  DELETE_NUM: 1 << 2,
  REPLACE: 1 << 3,
  APPEND: 1 << 4,
  LIST: 1 << 5,
  FLUSH: 1 << 6,
  ZERO: 1 << 7,
  NEW_CHAIN: 1 << 8,
  DELETE_CHAIN: 1 << 9,
  SET_POLICY: 1 << 10,
  RENAME: 1 << 11,
  LIST_RULES: 1 << 12,
  ZERO_NUM: 1 << 13,
  CHECK: 1 << 14,
} as const;
export const CMD_CHARS = "IDDRALFZNXPESZC";

export const OPT = { n: 1, s: 2, d: 4, p: 8, j: 16, v: 32, x: 64, i: 128, o: 256, line: 512, c: 1024, f: 2048 } as const;
const OPT_CHARS = "nsdpjvxio0cf";
/** commands_v_options: per command, "x" marks an option it refuses. */
const CMD_V_OPTS = [
  "x     x  x  ", // INSERT
  "x     x  xx ", // DELETE
  "xxxxx xxxxxx", // DELETE_NUM
  "x     x  x  ", // REPLACE
  "x     x  x  ", // APPEND
  " xxxx  xx xx", // LIST
  "xxxxx xxxxxx", // FLUSH
  "xxxxx xxxxxx", // ZERO
  "xxxxx xxxxxx", // NEW_CHAIN
  "xxxxx xxxxxx", // DELETE_CHAIN
  "xxxxx xxxx x", // SET_POLICY
  "xxxxx xxxxxx", // RENAME
  "xxxxx xxxxxx", // LIST_RULES
  "xxxxx xxxxxx", // ZERO_NUM
  "x     x  xx ", // CHECK
];

export const SHORTS: Record<string, { id: string; hasArg: 0 | 1 | 2 }> = {};
for (const [c, hasArg] of Object.entries({ A: 1, C: 1, D: 1, R: 1, I: 1, L: 2, S: 2, M: 1, F: 2, Z: 2, N: 1, X: 2, E: 1, P: 1, V: 0, h: 2, o: 1, p: 1, s: 1, d: 1, j: 1, i: 1, f: 0, b: 0, v: 0, w: 2, W: 2, n: 0, t: 1, m: 1, x: 0, c: 1, g: 1, "4": 0, "6": 0 }))
  SHORTS[c] = { id: c, hasArg: hasArg as 0 | 1 | 2 };

export const BASE_LONGS: LongOpt[] = (
  [
    ["append", 1, "A"],
    ["delete", 1, "D"],
    ["check", 1, "C"],
    ["insert", 1, "I"],
    ["replace", 1, "R"],
    ["list", 2, "L"],
    ["list-rules", 2, "S"],
    ["flush", 2, "F"],
    ["zero", 2, "Z"],
    ["new-chain", 1, "N"],
    ["delete-chain", 2, "X"],
    ["rename-chain", 1, "E"],
    ["policy", 1, "P"],
    ["source", 1, "s"],
    ["destination", 1, "d"],
    ["src", 1, "s"],
    ["dst", 1, "d"],
    ["protocol", 1, "p"],
    ["in-interface", 1, "i"],
    ["jump", 1, "j"],
    ["table", 1, "t"],
    ["match", 1, "m"],
    ["numeric", 0, "n"],
    ["out-interface", 1, "o"],
    ["verbose", 0, "v"],
    ["wait", 2, "w"],
    ["wait-interval", 2, "W"],
    ["exact", 0, "x"],
    ["fragments", 0, "f"],
    ["version", 0, "V"],
    ["help", 2, "h"],
    ["line-numbers", 0, "0"],
    ["modprobe", 1, "M"],
    ["set-counters", 1, "c"],
    ["goto", 1, "g"],
    ["ipv4", 0, "4"],
    ["ipv6", 0, "6"],
  ] as [string, 0 | 1 | 2, string][]
).map(([name, hasArg, id]) => ({ name, hasArg, id }));

export function genericOptCheck(command: number, options: number): void {
  for (let i = 0; i < OPT_CHARS.length; i++) {
    if (!(options & (1 << i))) continue;
    let legal = 0;
    for (let j = 0; j < CMD_V_OPTS.length; j++) {
      if (!(command & (1 << j))) continue;
      if (CMD_V_OPTS[j][i] !== "x") legal = 1;
      else if (legal === 0) legal = -1;
    }
    if (legal === -1) throw paramError(`Illegal option \`-${OPT_CHARS[i]}' with this command`);
  }
}
