// What iputils ping 20221126 prints, as pure functions of its counters (ping_common.c: gather_statistics
// and finish), so the arithmetic and rounding are exactly the C code's: times in integer microseconds,
// the average and deviation by integer division, loss as a float printed with %g.

/** ` time=0.321 ms` / `1.01 ms` / `12.3 ms` / `123 ms`: the reply line's RTT from microseconds. */
export function formatReplyTime(us: number): string {
  const t = Math.max(0, Math.trunc(us));
  if (t >= 100000 - 50) return `${Math.trunc((t + 500) / 1000)} ms`;
  if (t >= 10000 - 5) return `${Math.trunc((t + 50) / 1000)}.${Math.trunc(((t + 50) % 1000) / 100)} ms`;
  if (t >= 1000) return `${Math.trunc((t + 5) / 1000)}.${String(Math.trunc(((t + 5) % 1000) / 10)).padStart(2, "0")} ms`;
  return `${Math.trunc(t / 1000)}.${String(t % 1000).padStart(3, "0")} ms`;
}

/** C's printf("%g") for the loss percentage (6 significant digits, no trailing zeros). */
export function formatG(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split("e");
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const s = x.toPrecision(6);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

const ms3 = (us: number) => `${Math.trunc(us / 1000)}.${String(Math.trunc(us % 1000)).padStart(3, "0")}`;

export interface PingStats {
  /** What the user typed, or the canonical name (`--- host-b ping statistics ---`). */
  hostname: string;
  transmitted: number;
  received: number;
  duplicates?: number;
  errors: number;
  /** Milliseconds from the first to the last send (finish() prints cur_time - start_time). */
  elapsedMs: number;
  /** Reply times in microseconds, when the packets carried a timestamp (-s 16 or more). */
  rttsUs: number[];
  timing: boolean;
  /** Largest number of probes in flight when an answer arrived (`pipe N` when more than 1). */
  pipe: number;
  /** Interval 0 (-i 0, flood): finish() adds `ipg/ewma`. */
  interval0?: boolean;
  /** The smoothed RTT (rtt*8 in the C code), for ipg/ewma. */
  ewma8?: number;
}

/** The block finish() prints: a blank line, the header, the counts, then rtt/pipe/ipg or an empty line. */
export function formatStatistics(s: PingStats): string {
  let out = `\n--- ${s.hostname} ping statistics ---\n`;
  out += `${s.transmitted} packets transmitted, ${s.received} received`;
  if (s.duplicates) out += `, +${s.duplicates} duplicates`;
  if (s.errors) out += `, +${s.errors} errors`;
  if (s.transmitted) {
    const loss = Math.fround(((s.transmitted - s.received) * 100.0) / s.transmitted);
    out += `, ${formatG(loss)}% packet loss`;
    out += `, time ${Math.floor(s.elapsedMs + 0.5)}ms`;
  }
  out += "\n";
  let comma = "";
  if (s.received && s.timing && s.rttsUs.length) {
    const total = s.rttsUs.length;
    const tsum = s.rttsUs.reduce((a, b) => a + b, 0);
    const tsum2 = s.rttsUs.reduce((a, b) => a + b * b, 0);
    const tmin = Math.min(...s.rttsUs);
    const tmax = Math.max(...s.rttsUs);
    const tmavg = Math.trunc(tsum / total);
    const tmvar = tsum < 2147483647 ? Math.trunc((tsum2 - Math.trunc((tsum * tsum) / total)) / total) : Math.trunc(tsum2 / total - tmavg * tmavg);
    const tmdev = llsqrt(tmvar);
    out += `rtt min/avg/max/mdev = ${ms3(tmin)}/${ms3(tmavg)}/${ms3(tmax)}/${ms3(tmdev)} ms`;
    comma = ", ";
  }
  if (s.pipe > 1) {
    out += `${comma}pipe ${s.pipe}`;
    comma = ", ";
  }
  if (s.received && s.interval0 && s.transmitted > 1) {
    const ipg = Math.trunc((s.elapsedMs * 1000) / (s.transmitted - 1));
    const rtt = s.ewma8 ?? 0;
    out += `${comma}ipg/ewma ${Math.trunc(ipg / 1000)}.${String(ipg % 1000).padStart(3, "0")}/${Math.trunc(rtt / 8000)}.${String(Math.trunc(rtt / 8) % 1000).padStart(3, "0")} ms`;
  }
  return out + "\n";
}

/** Integer square root by Newton's method, as ping's llsqrt. */
function llsqrt(a: number): number {
  let prev = Number.MAX_SAFE_INTEGER;
  let x = a;
  if (x > 0) {
    while (x < prev) {
      prev = x;
      x = Math.trunc((x + Math.trunc(a / x)) / 2);
    }
  }
  return Math.max(0, x);
}

/** pr_icmph: the text after `From X icmp_seq=N ` for an ICMP error. */
export function icmpErrorText(type: number, code: number, mtu?: number): string {
  switch (type) {
    case 3:
      switch (code) {
        case 0:
          return "Destination Net Unreachable";
        case 1:
          return "Destination Host Unreachable";
        case 2:
          return "Destination Protocol Unreachable";
        case 3:
          return "Destination Port Unreachable";
        case 4:
          return `Frag needed and DF set (mtu = ${mtu ?? 0})`;
        case 5:
          return "Source Route Failed";
        case 6:
          return "Destination Net Unknown";
        case 7:
          return "Destination Host Unknown";
        case 8:
          return "Source Host Isolated";
        case 9:
          return "Destination Net Prohibited";
        case 10:
          return "Destination Host Prohibited";
        case 11:
          return "Destination Net Unreachable for Type of Service";
        case 12:
          return "Destination Host Unreachable for Type of Service";
        case 13:
          return "Packet filtered";
        case 14:
          return "Precedence Violation";
        case 15:
          return "Precedence Cutoff";
        default:
          return `Dest Unreachable, Bad Code: ${code}`;
      }
    case 4:
      return "Source Quench";
    case 5:
      switch (code) {
        case 0:
          return "Redirect Network";
        case 1:
          return "Redirect Host";
        case 2:
          return "Redirect Type of Service and Network";
        case 3:
          return "Redirect Type of Service and Host";
        default:
          return `Redirect, Bad Code: ${code}`;
      }
    case 11:
      if (code === 0) return "Time to live exceeded";
      if (code === 1) return "Frag reassembly time exceeded";
      return `Time exceeded, Bad Code: ${code}`;
    case 12:
      return "Parameter problem: pointer = 0";
    default:
      return `Bad ICMP type: ${type}`;
  }
}
