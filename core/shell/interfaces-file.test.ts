import { test } from "node:test";
import assert from "node:assert/strict";
import { ifupCommands } from "./interfaces-file";

test("ifupdown stanzas become the commands ifup runs at boot", () => {
  const text = `# comment
source /etc/network/interfaces.d/*
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
    address 192.168.1.10
    netmask 255.255.255.0
    gateway 192.168.1.1
    up ip route add 192.168.2.0/24 via 192.168.1.1

allow-hotplug eth1
iface eth1 inet static
    address 10.0.0.5/16

iface eth2 inet static
    address 172.16.0.1/24
`;
  assert.deepEqual(ifupCommands(text), [
    "ip addr add 192.168.1.10/24 dev eth0",
    "ip link set eth0 up",
    "ip route add default via 192.168.1.1 dev eth0",
    "ip route add 192.168.2.0/24 via 192.168.1.1",
    "ip addr add 10.0.0.5/16 dev eth1",
    "ip link set eth1 up",
  ]);
});
