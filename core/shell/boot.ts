// What a machine does when it boots: loopback up, NICs up (cables plugged in), then the persistent
// configuration a Debian host applies: /etc/sysctl.conf and /etc/sysctl.d/*.conf (systemd-sysctl).
import type { Machine } from "../net/machine";
import type { HostShell } from "./host-shell";
import { applySysctlText } from "./commands/system/sysctl";

export async function boot(machine: Machine, shell: HostShell): Promise<void> {
  machine.bootCount++;
  const root = machine.root;
  root.setAdminState(root.loopback, true);
  for (const nic of root.list()) if (nic.kind === "ether") root.setAdminState(nic, true);
  const files = ["/etc/sysctl.conf"];
  try {
    for (const f of (await shell.disk.readdir("/etc/sysctl.d")).sort()) if (f.endsWith(".conf")) files.push(`/etc/sysctl.d/${f}`);
  } catch {
    // no /etc/sysctl.d
  }
  for (const f of files) {
    try {
      applySysctlText(root, await shell.disk.readFile(f));
    } catch {
      // missing file: nothing to apply
    }
  }
}
