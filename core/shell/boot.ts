// What a machine does when it boots: loopback up, the persistent configuration a Debian host applies
// (/etc/sysctl.conf and /etc/sysctl.d/*.conf by systemd-sysctl, /etc/network/interfaces by ifupdown),
// and NICs up. Runtime changes made with `ip` or `sysctl -w` are gone after a reboot; files stay.
import type { Machine } from "../net/machine";
import type { HostShell } from "./host-shell";
import { applySysctlText } from "./commands/system/sysctl";
import { ifupCommands } from "./interfaces-file";

export async function boot(machine: Machine, shell: HostShell): Promise<string[]> {
  machine.bootCount++;
  const root = machine.root;
  root.setAdminState(root.loopback, true);
  const files = ["/etc/sysctl.conf"];
  try {
    for (const f of (await shell.disk.readdir("/etc/sysctl.d")).sort()) if (f.endsWith(".conf")) files.push(`/etc/sysctl.d/${f}`);
  } catch {
    // no /etc/sysctl.d
  }
  for (const f of files) {
    try {
      applySysctlText(root, await shell.disk.readFile(f), f);
    } catch {
      // missing file: nothing to apply
    }
  }
  for (const nic of root.list()) if (nic.kind === "ether") root.setAdminState(nic, true);
  const problems: string[] = [];
  let text = "";
  try {
    text = await shell.disk.readFile("/etc/network/interfaces");
  } catch {
    text = "";
  }
  for (const cmd of ifupCommands(text)) {
    const r = await shell.exec(cmd);
    if (r.exitCode !== 0) problems.push(`${cmd}: ${r.stderr.trim()}`);
  }
  for (const p of problems) machine.log(`ifup: ${p}`);
  return problems;
}

/** `reboot`: the kernel resets, the disk stays, the machine boots again. */
export async function reboot(machine: Machine, shell: HostShell): Promise<string[]> {
  machine.resetKernel();
  return boot(machine, shell);
}
