// arp, route and ifconfig (net-tools 2.10): golden outputs and errors as captured on Debian 12 in
// throwaway namespaces (shared/reference/b-ping-arp-route-netstat.md for arp/route layouts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lan, lines, maskMacs, routed, shell } from "../probe/testkit";
import { parseEther } from "./arp";
import { nstrcmp } from "./common";
import { scaled } from "./ifconfig";

const ARP_HEAD = "Address                  HWtype  HWaddress           Flags Mask            Iface";
const ROUTE_HEAD = "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface";

test("arp: empty table prints nothing; entries C, permanent CM, (incomplete); -a BSD style; names from /etc/hosts", async () => {
  const w = await lan();
  const a = shell(w, "a");
  assert.deepEqual(await a("arp"), { out: "", err: "", code: 0 });
  assert.deepEqual(await a("arp -a"), { out: "", err: "", code: 0 });
  await a("ping -c 1 192.168.1.11");
  await a("ping -c 1 -W 1 192.168.1.99");
  await a("arp -s 192.168.1.50 00:11:22:33:44:55");
  await a("arp -s 192.168.1.51 0:11:22:33:44:5 temp");
  const mac = w.sim.machine("b")!.root.byName("eth0")!.mac;
  assert.equal(
    (await a("arp -n")).out,
    lines(
      ARP_HEAD,
      `192.168.1.11             ether   ${mac}   C                     eth0`,
      "192.168.1.99                     (incomplete)                              eth0",
      "192.168.1.50             ether   00:11:22:33:44:55   CM                    eth0",
      "192.168.1.51             ether   00:11:22:33:44:05   C                     eth0",
    ),
  );
  assert.equal(
    (await a("arp -a")).out,
    lines(`? (192.168.1.11) at ${mac} [ether] on eth0`, "? (192.168.1.99) at <incomplete> on eth0", "? (192.168.1.50) at 00:11:22:33:44:55 [ether] PERM on eth0", "? (192.168.1.51) at 00:11:22:33:44:05 [ether] on eth0"),
  );
  await a("echo '192.168.1.11 host-b hb' >> /etc/hosts");
  assert.equal((await a("arp 192.168.1.11")).out, lines(ARP_HEAD, `host-b                   ether   ${mac}   C                     eth0`));
  assert.equal((await a("arp -a hb")).out, `host-b (192.168.1.11) at ${mac} [ether] on eth0\n`);
  assert.equal((await a("arp -n -v -i eth0 192.168.1.99")).out, lines(ARP_HEAD, "192.168.1.99                     (incomplete)                              eth0", "Entries: 4\tSkipped: 3\tFound: 1"));
  assert.equal((await a("arp -n 192.168.1.55")).out, "192.168.1.55 (192.168.1.55) -- no entry\n");
  assert.equal((await a("arp -a 192.168.1.55")).out, "arp: in 4 entries no match found.\n");
  assert.equal((await a("arp -i eth9")).out, "arp: in 4 entries no match found.\n");
  // The host does not see its namespaces' neighbours (lab 3.1).
  await a("ip netns add red");
  await a("ip link add veth-red type veth peer name veth-x");
  await a("ip link set veth-red netns red");
  await a("ip -n red addr add 10.0.0.1/24 dev veth-red");
  await a("ip -n red link set veth-red up");
  await a("ip netns exec red arp -s 10.0.0.2 00:aa:bb:cc:dd:ee");
  assert.doesNotMatch((await a("arp -n")).out, /10\.0\.0\.2/);
  assert.equal((await a("ip netns exec red arp -n")).out, lines(ARP_HEAD, "10.0.0.2                 ether   00:aa:bb:cc:dd:ee   CM                    veth-red"));
});

test("arp -s / -d: errors as SIOCSARP and SIOCDARP report them", async () => {
  const w = await lan();
  const a = shell(w, "a");
  assert.deepEqual(await a("arp -s 10.99.0.1 00:11:22:33:44:55"), { out: "", err: "SIOCSARP: Network is unreachable\n", code: 255 });
  assert.deepEqual(await a("arp -s 192.168.1.10 00:11:22:33:44:55"), { out: "", err: "SIOCSARP: Invalid argument\n", code: 255 });
  assert.deepEqual(await a("arp -i eth9 -s 192.168.1.60 00:11:22:33:44:55"), { out: "", err: "SIOCSARP: No such device\n", code: 255 });
  assert.deepEqual(await a("arp -i lo -s 192.168.1.60 00:11:22:33:44:55"), { out: "", err: "SIOCSARP: Invalid argument\n", code: 255 });
  assert.deepEqual(await a("arp -s 192.168.1.52 zz:11"), { out: "", err: "arp: invalid hardware address\n", code: 255 });
  assert.deepEqual(await a("arp -s 192.168.1.52"), { out: "", err: "arp: need hardware address\n", code: 255 });
  assert.deepEqual(await a("arp -d"), { out: "", err: "arp: need host name\n", code: 255 });
  assert.deepEqual(await a("arp -s nosuch 00:11:22:33:44:55"), { out: "", err: "nosuch: Unknown host\n", code: 255 });
  assert.deepEqual(await a("arp -s 192.168.1.50 00:11:22:33:44:55"), { out: "", err: "", code: 0 });
  assert.deepEqual(await a("arp -d 192.168.1.50"), { out: "", err: "", code: 0 });
  assert.deepEqual(await a("arp -d 192.168.1.50"), { out: "No ARP entry for 192.168.1.50\n", err: "", code: 255 });
  assert.deepEqual(await a("arp -i eth9 -d 192.168.1.60"), { out: "", err: "SIOCDARP(dontpub): No such device\n", code: 255 });
  assert.deepEqual(await a("arp -H foo"), { out: "", err: "arp: foo: unknown hardware type.\n", code: 255 });
  const bad = await a("arp -x");
  assert.equal(bad.code, 3);
  assert.match(bad.err, /^arp: invalid option -- 'x'\nUsage:\n {2}arp \[-vn\] {2}\[<HW>\] \[-i <if>\] \[-a\] \[<hostname>\]/);
  assert.equal((await a("arp -d 1.1.1.1 2.2.2.2")).code, 3);
  assert.equal(parseEther("001122334455"), "00:11:22:33:44:55");
  assert.equal(parseEther("00:11:22:33:44:55:66"), "00:11:22:33:44:55");
  assert.equal(parseEther("00-11-22-33-44-55"), undefined);
});

test("route: the reference layouts (-n and names), U/G/H/! flags, metrics, reject and blackhole rows", async () => {
  const w = await routed();
  const a = shell(w, "a");
  assert.equal(
    (await a("route")).out,
    lines("Kernel IP routing table", ROUTE_HEAD, "default         192.168.1.1     0.0.0.0         UG    0      0        0 eth0", "192.168.1.0     0.0.0.0         255.255.255.0   U     0      0        0 eth0"),
  );
  await a("ip route add blackhole 10.6.0.0/16");
  await a("ip route add unreachable 10.7.0.0/16");
  await a("ip route add prohibit 10.8.0.0/16");
  await a("ip route add 10.50.0.1 via 192.168.1.11");
  await a("ip route add 10.51.0.0/16 dev eth0 metric 100");
  assert.equal(
    (await a("route -n")).out,
    lines(
      "Kernel IP routing table",
      ROUTE_HEAD,
      "0.0.0.0         192.168.1.1     0.0.0.0         UG    0      0        0 eth0",
      "10.6.0.0        0.0.0.0         255.255.0.0     U     0      0        0 *",
      "10.7.0.0        -               255.255.0.0     !     0      -        0 -",
      "10.8.0.0        -               255.255.0.0     !     0      -        0 -",
      "10.50.0.1       192.168.1.11    255.255.255.255 UGH   0      0        0 eth0",
      "10.51.0.0       0.0.0.0         255.255.0.0     U     100    0        0 eth0",
      "192.168.1.0     0.0.0.0         255.255.255.0   U     0      0        0 eth0",
    ),
  );
  await a("echo '192.168.1.11 a-very-long-hostname-for-gw' >> /etc/hosts");
  assert.match((await a("route")).out, /\n10\.50\.0\.1       a-very-long-hos 255\.255\.255\.255 UGH   0      0        0 eth0\n/);
  assert.equal(
    (await a("route -ne")).out.split("\n").slice(1, 4).join("\n"),
    "Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n0.0.0.0         192.168.1.1     0.0.0.0         UG        0 0          0 eth0\n10.6.0.0        0.0.0.0         255.255.0.0     U         0 0          0 *",
  );
  assert.match((await a("route -nee")).out, /\n10\.7\.0\.0        -               255\.255\.0\.0     !     0      -        0 -        -     -      -\n/);
  assert.equal((await a("route -C")).out, "Kernel IP routing cache\nSource          Destination     Gateway         Flags Metric Ref    Use Iface\n");
});

test("route add/del: -net/-host, netmask or /prefix, gw, dev, reject, metric; prepend; SIOC* errors and usage", async () => {
  const w = await lan();
  const a = shell(w, "a");
  const usage = (await import("./usage")).INET_ROUTE_USAGE;
  for (const ok of [
    "route add -net 10.60.0.0 netmask 255.255.0.0 gw 192.168.1.11",
    "route add -net 10.61.0.0/16 gw 192.168.1.11",
    "route add -net 10.62.0.0/16 dev eth0",
    "route add -host 10.63.0.5 gw 192.168.1.11",
    "route add 10.64.0.5 gw 192.168.1.11",
    "route add -net 10.67.0.0 netmask 255.255.0.0 gw 192.168.1.11 metric 7",
    "route add -net 10.68.0.0 netmask 255.255.0.0 reject",
    "route add default gw 192.168.1.1",
    "route add default gw 192.168.1.11",
  ])
    assert.deepEqual(await a(ok), { out: "", err: "", code: 0 }, ok);
  assert.equal(
    (await a("ip route")).out,
    lines(
      "default via 192.168.1.11 dev eth0 ",
      "default via 192.168.1.1 dev eth0 ",
      "10.60.0.0/16 via 192.168.1.11 dev eth0 ",
      "10.61.0.0/16 via 192.168.1.11 dev eth0 ",
      "10.62.0.0/16 dev eth0 scope link ",
      "10.63.0.5 via 192.168.1.11 dev eth0 ",
      "10.64.0.5 via 192.168.1.11 dev eth0 ",
      "10.67.0.0/16 via 192.168.1.11 dev eth0 metric 7 ",
      "unreachable 10.68.0.0/16 scope host ",
      "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10 ",
    ),
  );
  assert.match((await a("route -n")).out, /\n10\.68\.0\.0       -               255\.255\.0\.0     !     0      -        0 -\n/);
  assert.deepEqual(await a("route add -net 10.60.0.0 netmask 255.255.0.0 gw 192.168.1.11"), { out: "", err: "SIOCADDRT: File exists\n", code: 7 });
  assert.deepEqual(await a("route add -net 10.65.0.0 netmask 255.255.0.0 gw 10.99.0.1"), { out: "", err: "SIOCADDRT: Network is unreachable\n", code: 7 });
  assert.deepEqual(await a("route add -net 10.69.0.0/16 gw 192.168.1.11 dev eth9"), { out: "", err: "SIOCADDRT: No such device\n", code: 7 });
  assert.deepEqual(await a("route add -net 10.71.0.0 netmask 255.255.0.0"), { out: "", err: "SIOCADDRT: No such device\n", code: 7 });
  assert.deepEqual(await a("route add -net 10.72.0.0 gw 192.168.1.11"), { out: "", err: "SIOCADDRT: Invalid argument\n", code: 7 });
  assert.deepEqual(await a("route add -net 10.66.0.1 netmask 255.255.0.0 gw 192.168.1.11"), { out: "", err: "route: netmask doesn't match route address\n" + usage, code: 3 });
  assert.deepEqual(await a("route add -net 10.70.0.0 netmask 255.0.255.0 gw 192.168.1.11"), { out: "", err: "route: bogus netmask 255.0.255.0\n" + usage, code: 3 });
  assert.deepEqual(await a("route add 10.92.0.0/16 gw 192.168.1.11"), { out: "", err: "route: netmask 0000ffff doesn't make sense with host route\n" + usage, code: 3 });
  assert.deepEqual(await a("route add -net 10.90.0.0/16 gw default"), { out: "", err: "route: default: cannot use a NETWORK as gateway!\n" + usage, code: 3 });
  assert.deepEqual(await a("route add -net 10.74.0.0/16 gw nosuch"), { out: "", err: "nosuch: Unknown host\n", code: 6 });
  assert.deepEqual(await a("route add"), { out: usage, err: "", code: 0 });
  assert.deepEqual(await a("route flush"), { out: "", err: "Flushing `inet' routing table not supported\n" + usage, code: 3 });
  // Delete: the first match; metric and gateway narrow it.
  assert.deepEqual(await a("route del default"), { out: "", err: "", code: 0 });
  assert.match((await a("ip route")).out, /^default via 192\.168\.1\.1 dev eth0 \n/);
  assert.deepEqual(await a("route del -net 10.61.0.0/16 gw 192.168.1.99"), { out: "", err: "SIOCDELRT: No such process\n", code: 7 });
  assert.deepEqual(await a("route del -net 10.61.0.0/16 gw 192.168.1.11"), { out: "", err: "", code: 0 });
  assert.deepEqual(await a("route del 10.64.0.5"), { out: "", err: "", code: 0 });
  assert.deepEqual(await a("route del -net 10.68.0.0/16"), { out: "", err: "SIOCDELRT: No such process\n", code: 7 });
  assert.deepEqual(await a("route del -net 10.68.0.0/16 reject"), { out: "", err: "", code: 0 });
  const foo = await a("route foo");
  assert.equal(foo.code, 3);
  assert.match(foo.err, /^Usage: route \[-nNvee\] \[-FC\] \[<AF>\] {11}List kernel routing tables\n/);
  const x = await a("route -x");
  assert.equal(x.code, 0);
  assert.match(x.err, /^route: invalid option -- 'x'\n {4}inet \(DARPA Internet\)/);
  // A route through a gateway the walk then uses.
  assert.equal((await a("ping -c 1 -W 1 10.60.0.1")).code, 1);
});

test("ifconfig: up interfaces by name, -a, one interface, -s; flags, inet/netmask/broadcast, ether/loop, counters", async () => {
  const w = await lan();
  const a = shell(w, "a");
  await a("ping -c 2 192.168.1.11");
  const eth0 = w.sim.machine("a")!.root.byName("eth0")!;
  const st = eth0.stats;
  assert.equal(
    maskMacs((await a("ifconfig")).out),
    lines(
      "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500",
      "        inet 192.168.1.10  netmask 255.255.255.0  broadcast 0.0.0.0",
      "        ether MAC  txqueuelen 1000  (Ethernet)",
      `        RX packets ${st.rxPackets}  bytes ${st.rxBytes} (${scaled(st.rxBytes)})`,
      "        RX errors 0  dropped 0  overruns 0  frame 0",
      `        TX packets ${st.txPackets}  bytes ${st.txBytes} (${scaled(st.txBytes)})`,
      "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0",
      "",
      "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536",
      "        inet 127.0.0.1  netmask 255.0.0.0",
      "        loop  txqueuelen 1000  (Local Loopback)",
      "        RX packets 0  bytes 0 (0.0 B)",
      "        RX errors 0  dropped 0  overruns 0  frame 0",
      "        TX packets 0  bytes 0 (0.0 B)",
      "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0",
      "",
    ),
  );
  assert.ok(st.rxPackets >= 2 && st.txPackets >= 2);
  await a("ip link add veth0 type veth peer name veth1");
  assert.doesNotMatch((await a("ifconfig")).out, /veth0/);
  assert.match(maskMacs((await a("ifconfig -a")).out), /\nveth0: flags=4098<BROADCAST,MULTICAST>  mtu 1500\n {8}ether MAC  txqueuelen 1000  \(Ethernet\)\n {8}RX packets 0  bytes 0 \(0\.0 B\)\n/);
  assert.equal(
    (await a("ifconfig -a -s")).out,
    lines(
      "Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg",
      `eth0             1500 ${String(st.rxPackets).padStart(8)}      0      0 0      ${String(st.txPackets).padStart(8)}      0      0      0 BMRU`,
      "lo              65536        0      0      0 0             0      0      0      0 LRU",
      "veth0            1500        0      0      0 0             0      0      0      0 BM",
      "veth1            1500        0      0      0 0             0      0      0      0 BM",
    ),
  );
  assert.deepEqual(await a("ifconfig eth9"), { out: "", err: "eth9: error fetching interface information: Device not found\n", code: 1 });
  assert.equal(scaled(16632), "16.2 KiB");
  assert.equal(scaled(40931507), "39.0 MiB");
  assert.equal(scaled(90), "90.0 B");
  assert.ok(nstrcmp("eth2", "eth10") < 0 && nstrcmp("veth0:1", "veth1") < 0);
});

test("ifconfig setters: classful address, /prefix, netmask, broadcast, mtu, up/down, aliases, promisc; errors", async () => {
  const w = await lan();
  const a = shell(w, "a");
  await a("ip link add veth0 type veth peer name veth1");
  assert.deepEqual(await a("ifconfig veth0 10.0.0.1 netmask 255.255.255.0 up"), { out: "", err: "", code: 0 });
  assert.match((await a("ifconfig veth0")).out, /^veth0: flags=4099<UP,BROADCAST,MULTICAST>  mtu 1500\n {8}inet 10\.0\.0\.1  netmask 255\.255\.255\.0  broadcast 10\.0\.0\.255\n/);
  assert.deepEqual(await a("ifconfig veth1 10.0.0.2/24"), { out: "", err: "", code: 0 });
  assert.match((await a("ifconfig veth1")).out, /^veth1: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n {8}inet 10\.0\.0\.2  netmask 255\.255\.255\.0  broadcast 10\.0\.0\.255\n/);
  await a("ifconfig veth0 10.0.0.5");
  assert.match((await a("ip addr show veth0")).out, /\n {4}inet 10\.0\.0\.5\/8 brd 10\.255\.255\.255 scope global veth0\n/);
  await a("ifconfig veth0 down");
  assert.match((await a("ifconfig veth0")).out, /^veth0: flags=4098<BROADCAST,MULTICAST>  mtu 1500\n {8}inet 10\.0\.0\.5  netmask 255\.0\.0\.0  broadcast 10\.255\.255\.255\n/);
  await a("ifconfig veth0 up netmask 255.255.0.0 broadcast 10.0.255.255 mtu 1400");
  assert.match((await a("ifconfig veth0")).out, /^veth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1400\n {8}inet 10\.0\.0\.5  netmask 255\.255\.0\.0  broadcast 10\.0\.255\.255\n/);
  await a("ip addr add 10.0.8.8/24 dev veth0 label veth0:1");
  await a("ifconfig veth0:2 10.0.7.7 netmask 255.255.255.0");
  const all = (await a("ifconfig")).out;
  assert.match(maskMacs(all), /\nveth0:1: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1400\n {8}inet 10\.0\.8\.8  netmask 255\.255\.255\.0  broadcast 0\.0\.0\.0\n {8}ether MAC  txqueuelen 1000  \(Ethernet\)\n\nveth0:2: /);
  assert.match((await a("ip addr show veth0")).out, /inet 10\.0\.7\.7\/24 brd 10\.0\.7\.255 scope global veth0:2\n/);
  await a("ifconfig veth0 promisc");
  assert.match((await a("ifconfig veth0")).out, /^veth0: flags=4419<UP,BROADCAST,RUNNING,PROMISC,MULTICAST>/);
  assert.match((await a("ip link show veth0")).out, /PROMISC/);
  await a("ifconfig lo down");
  assert.match((await a("ifconfig lo")).out, /^lo: flags=8<LOOPBACK>  mtu 65536\n/);
  assert.deepEqual(await a("ifconfig eth9 1.2.3.4"), { out: "", err: "SIOCSIFADDR: No such device\neth9: ERROR while getting interface flags: No such device\n", code: 255 });
  assert.deepEqual(await a("ifconfig eth9 up"), { out: "", err: "eth9: ERROR while getting interface flags: No such device\n", code: 255 });
  assert.deepEqual(await a("ifconfig veth0 999.1.1.1"), { out: "", err: "999.1.1.1: Unknown host\nifconfig: `--help' gives usage information.\n", code: 1 });
  assert.deepEqual(await a("ifconfig veth0 netmask 255.0.255.0"), { out: "", err: "SIOCSIFNETMASK: Invalid argument\n", code: 1 });
  assert.deepEqual(await a("ifconfig veth0 mtu abc"), { out: "", err: "SIOCSIFMTU: Invalid argument\n", code: 1 });
  assert.deepEqual(await a("ifconfig veth0 -broadcast"), { out: "", err: "Warning: Interface veth0 still in BROADCAST mode.\n", code: 0 });
  assert.deepEqual(await a("ifconfig -x"), { out: "", err: "ifconfig: option `-x' not recognised.\nifconfig: `--help' gives usage information.\n", code: 1 });
  const missing = await a("ifconfig veth0 mtu");
  assert.equal(missing.code, 3);
  assert.match(missing.err, /^Usage:\n {2}ifconfig \[-a\] \[-v\] \[-s\] <interface> \[\[<AF>\] <address>\]\n/);
  assert.match(missing.err, /\n {2}<AF>=Address family\. Default: inet\n {2}List of possible address families:\n {4}unix/);
  const help = await a("ifconfig --help");
  assert.equal(help.code, 0);
  assert.match(help.out, /\n {2}<HW>=Hardware Type\.\n {2}List of possible hardware types:\n {2}<AF>=Address family\. Default: inet\n {2}List of possible address families:\n$/);
  assert.deepEqual(w.sim.internalErrors, []);
});
