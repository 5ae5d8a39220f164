// iptables' error shapes, word for word (iptables-nft). Parameter problems exit 2 and end with the
// "Try `iptables -h'" line; kernel refusals of a change exit 1 ("iptables: ...") or 4 (nft batch errors).

/** The version we present (1.8.10 prints protocol names with -n, which is why we chose it). */
export const IPTABLES_VERSION = "v1.8.10";
export const VERSION_BANNER = `iptables ${IPTABLES_VERSION} (nf_tables)`;

export type IptErrorKind = "param" | "bare" | "kernel" | "batch" | "plain";

export class IptError {
  constructor(
    readonly text: string,
    readonly exitCode: number,
    /** How it was built, so iptables-restore can re-frame it with a line number. */
    readonly kind: IptErrorKind = "plain",
    readonly msg = "",
  ) {}
}

export const tryHelp = (prog: string) => `Try \`${prog} -h' or '${prog} --help' for more information.\n`;

/** xtables_error(PARAMETER_PROBLEM, msg): a trailing "\n" in msg gives the blank line iptables prints. */
export function paramError(msg: string, prog = "iptables"): IptError {
  return new IptError(`${prog} ${IPTABLES_VERSION} (nf_tables): ${msg}\n${tryHelp(prog)}`, 2, "param", msg);
}

/** Messages printed without the version prefix ("Bad argument `x'"). */
export function bareParamError(msg: string, prog = "iptables"): IptError {
  return new IptError(`${msg}\n${tryHelp(prog)}`, 2, "bare", msg);
}

/** nft_strerror() results: "iptables: No chain/target/match by that name." */
export function kernelError(msg: string, exitCode = 1, prog = "iptables"): IptError {
  return new IptError(`${prog}: ${msg}\n`, exitCode, "kernel", msg);
}

/** Errors of the nft batch ("RULE_APPEND failed (Invalid argument): rule in chain X"), exit 4. */
export function batchError(msg: string, prog = "iptables"): IptError {
  return new IptError(`${prog} ${IPTABLES_VERSION} (nf_tables):  ${msg}\n`, 4, "batch", msg);
}

/** Other version-prefixed errors without the help line (e.g. "chain `X' in table `nat' is incompatible"). */
export function plainError(msg: string, exitCode: number, prog = "iptables"): IptError {
  return new IptError(`${prog} ${IPTABLES_VERSION} (nf_tables): ${msg}\n`, exitCode, "plain", msg);
}
