// Module 4 labs played as a learner would, checked as the syllabus says.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { lab, pingOk, httpGet, routes, addresses, ns, failures, stopAllWorlds } from "./helpers";

after(stopAllWorlds);

const colours = ["red", "blue", "yellow", "black"];

test("lab 4.1: four namespaces on one bridge", async () => {
  const { world, play } = await lab("lab-4.1");
  assert.deepEqual(failures(await play("@lab-host ip -n red link del veth-red")), []);
  assert.equal(ns(world, "lab-host/red").byName("veth-red"), undefined);
  assert.equal(ns(world, "lab-host/blue").byName("veth-blue"), undefined);

  await play("@lab-host ip link add v-net-0 type bridge\n@lab-host ip link set dev v-net-0 up");
  const br = ns(world, "lab-host").byName("v-net-0")!;
  assert.equal(br.kind, "bridge");
  assert.ok(br.adminUp);

  const lines = ["@lab-host ip netns add yellow", "@lab-host ip netns add black"];
  colours.forEach((c, i) =>
    lines.push(
      `@lab-host ip link add veth-${c} type veth peer name veth-${c}-br`,
      `@lab-host ip link set veth-${c} netns ${c}`,
      `@lab-host ip link set veth-${c}-br master v-net-0`,
      `@lab-host ip -n ${c} addr add 192.168.15.${i + 1}/24 dev veth-${c}`,
      `@lab-host ip -n ${c} link set veth-${c} up`,
      `@lab-host ip link set veth-${c}-br up`,
    ),
  );
  assert.deepEqual(failures(await play(lines.join("\n"))), []);
  for (const [i, c] of colours.entries()) {
    assert.deepEqual(addresses(world, `lab-host/${c}`, `veth-${c}`), [`192.168.15.${i + 1}/24`]);
    const port = ns(world, "lab-host").byName(`veth-${c}-br`)!;
    assert.equal(port.master, br);
    assert.equal(port.operState, "UP");
  }
  for (const [i, a] of colours.entries())
    for (const [j] of colours.entries()) if (i !== j) assert.equal(await pingOk(world, `lab-host/${a}`, `192.168.15.${j + 1}`), true, `${a} -> .${j + 1}`);

  // The host cannot reach them until the bridge has an address.
  const [before] = await play("@lab-host ping -c 1 -W 1 192.168.15.1");
  assert.notEqual(before.exitCode, 0);
  await play("@lab-host ip addr add 192.168.15.5/24 dev v-net-0");
  for (let i = 1; i <= 4; i++) assert.equal(await pingOk(world, "lab-host", `192.168.15.${i}`), true);
  const [bl] = await play("@lab-host bridge link");
  assert.equal(bl.stdout.split("\n").filter(Boolean).length, 4);
});

test("lab 4.2: out to the LAN, back in through a port", async () => {
  const { world, play } = await lab("lab-4.2");
  await play("@lab-host ip netns exec blue echo-server --port 80 --name blue &\n@lan-host echo-server --port 8080 --name lan &");

  // Task 1: no route, then a route but no way back.
  const [unreach] = await play("@lab-host ip netns exec blue ping -c 1 192.168.1.3");
  assert.deepEqual([unreach.stderr, unreach.exitCode], ["ping: connect: Network is unreachable\n", 2]);
  await play("@lab-host ip netns exec blue ip route add 192.168.1.0/24 via 192.168.15.5");
  assert.ok(routes(world, "lab-host/blue").includes("192.168.1.0/24 via 192.168.15.5"));
  assert.equal(await pingOk(world, "lab-host/blue", "192.168.1.3"), false);

  // Task 2: masquerade; the LAN host sees lab-host's address.
  await play("@lab-host iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE");
  assert.equal(await pingOk(world, "lab-host/blue", "192.168.1.3"), true);
  const seen = JSON.parse((await httpGet(world, "lab-host/blue", "192.168.1.3", 8080)).split("\r\n\r\n")[1]);
  assert.equal(seen.client.address, "192.168.1.2");

  // Task 3: the internet, through lab-host and the gateway.
  await play("@lab-host ip netns exec blue ip route add default via 192.168.15.5");
  assert.equal(await pingOk(world, "lab-host/blue", "8.8.8.8"), true);

  // Task 4: publish blue's web server on lab-host:80.
  await play("@lab-host iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80");
  const [curl] = await play("@lan-host curl -s http://192.168.1.2");
  const body = JSON.parse(curl.stdout);
  assert.equal(body.name, "blue");
  assert.deepEqual(body.local, { address: "192.168.15.2", port: 80 });
  assert.equal(body.client.address, "192.168.1.3");

  // Task 5: a "security script" sets FORWARD to DROP; restore without flushing nat.
  await play("@lab-host iptables -P FORWARD DROP");
  assert.equal(await pingOk(world, "lab-host/blue", "8.8.8.8"), false);
  await play("@lab-host iptables -A FORWARD -i v-net-0 -j ACCEPT\n@lab-host iptables -A FORWARD -o v-net-0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
  assert.equal(await pingOk(world, "lab-host/blue", "8.8.8.8"), true);
  const [save] = await play("@lab-host iptables-save -t nat");
  assert.match(save.stdout, /-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80/);
  assert.match(save.stdout, /-A POSTROUTING -s 192.168.15.0\/24 -j MASQUERADE/);
});

test("lab 4.2 mistakes: forgetting -t nat, --dport without -p", async () => {
  const { play } = await lab("lab-4.2");
  const [noNat] = await play("@lab-host iptables -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE");
  assert.deepEqual([noNat.stderr, noNat.exitCode], ["iptables: No chain/target/match by that name.\n", 1]);
  const [noProto] = await play("@lab-host iptables -t nat -A PREROUTING --dport 80 -j DNAT --to-destination 192.168.15.2:80");
  assert.match(noProto.stderr, /unknown option "--dport"/);
  assert.equal(noProto.exitCode, 2);
});
