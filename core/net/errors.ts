// Kernel errors as netlink reports them: an errno and, when the kernel attaches one, an extended-ACK
// message. Commands turn them into the exact text their tool prints.

export const STRERROR = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  ESRCH: "No such process",
  EEXIST: "File exists",
  ENODEV: "No such device",
  EINVAL: "Invalid argument",
  EBUSY: "Device or resource busy",
  ENETUNREACH: "Network is unreachable",
  EHOSTUNREACH: "No route to host",
  EADDRNOTAVAIL: "Cannot assign requested address",
  EADDRINUSE: "Address already in use",
  ECONNREFUSED: "Connection refused",
  ECONNRESET: "Connection reset by peer",
  ETIMEDOUT: "Connection timed out",
  EACCES: "Permission denied",
  EOPNOTSUPP: "Operation not supported",
  ENOBUFS: "No buffer space available",
  EMLINK: "Too many links",
  ENOTEMPTY: "Directory not empty",
} as const;

export type Errno = keyof typeof STRERROR;

export class KernelError extends Error {
  constructor(
    readonly errno: Errno,
    /** Netlink extended ACK text (iproute2 prints it as `Error: <text>`). */
    readonly extack?: string,
  ) {
    super(extack ?? STRERROR[errno]);
  }
}

/** What iproute2 prints for a failed netlink request. */
export function rtnetlinkMessage(e: KernelError): string {
  return e.extack ? `Error: ${e.extack}` : `RTNETLINK answers: ${STRERROR[e.errno]}`;
}
