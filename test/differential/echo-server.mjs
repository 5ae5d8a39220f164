// Real-kernel stand-in for the simulator's `echo-server --port P [--name N]`: an HTTP server that answers
// every request with JSON describing what it saw. Run by real-kernel.ts inside a machine with `node`.
// Body: {"name","local":{"address","port"},"client":{"address","port"},"method","path","host","headers"}
// followed by a newline. `name` defaults to the host name (the machine's UTS name); header names are
// lower-case, as Node (and HTTP/2) report them.
import { createServer } from "node:http";
import { hostname } from "node:os";

const args = process.argv.slice(2);
function arg(flag, fallback) {
  const i = args.indexOf(flag);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${flag}=`));
  return eq ? eq.slice(flag.length + 1) : fallback;
}
const port = Number(arg("--port", "8080"));
const name = arg("--name", hostname());
const bind = arg("--bind", "0.0.0.0");

const server = createServer((req, res) => {
  const body = {
    name,
    local: { address: stripV4Mapped(req.socket.localAddress), port: req.socket.localPort },
    client: { address: stripV4Mapped(req.socket.remoteAddress), port: req.socket.remotePort },
    method: req.method,
    path: req.url,
    host: req.headers.host ?? "",
    headers: req.headers,
  };
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body) + "\n");
});

function stripV4Mapped(a) {
  return typeof a === "string" && a.startsWith("::ffff:") ? a.slice(7) : a;
}

server.on("error", (e) => {
  console.error(`echo-server: ${e.message}`);
  process.exit(1);
});
server.listen(port, bind, () => console.log(`listening on ${bind}:${port}`));
