import { type BindingData, type PortData, parseData } from "./layout.js";

/** A topology invariant broken in one snapshot. */
export interface InvariantViolation {
  readonly invariant:
    | "port-device-exists"
    | "link-symmetric"
    | "binding-port-exists"
    | "binding-host-exists";
  readonly path: string;
  readonly detail: string;
}

/**
 * Checks the topology invariants on one consistent snapshot of an agent's
 * subtree (relative path -> data). Pure. Atomic multi-ops promise these hold
 * in every snapshot:
 * - a port's device exists (so a deleted device left no ports);
 * - a link is symmetric: if p names q as peer, q exists and names p;
 * - a binding names an existing port and a registered (recorded) host.
 */
export function topologyViolations(snapshot: ReadonlyMap<string, string>): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  for (const [path, text] of snapshot) {
    if (path.startsWith("ports/") && path.split("/").length === 2) {
      const port = parseData<PortData>(text);
      if (port === undefined) continue;
      if (!snapshot.has(port.device)) {
        violations.push({
          invariant: "port-device-exists",
          path,
          detail: `device ${port.device} does not exist`,
        });
      }
      if (port.peer !== null) {
        const peerPath = `ports/${port.peer}`;
        const peer = parseData<PortData>(snapshot.get(peerPath));
        const self = path.slice("ports/".length);
        if (peer === undefined) {
          violations.push({
            invariant: "link-symmetric",
            path,
            detail: `peer ${peerPath} does not exist`,
          });
        } else if (peer.peer !== self) {
          violations.push({
            invariant: "link-symmetric",
            path,
            detail: `peer ${peerPath} names ${peer.peer === null ? "no peer" : `ports/${peer.peer}`}, not ${path}`,
          });
        }
      }
    }
    if (path.startsWith("bindings/") && path.split("/").length === 2) {
      const binding = parseData<BindingData>(text);
      if (binding === undefined) continue;
      const port = `ports/${path.slice("bindings/".length)}`;
      if (!snapshot.has(port))
        violations.push({
          invariant: "binding-port-exists",
          path,
          detail: `port ${port} does not exist`,
        });
      if (!snapshot.has(`hosts/${binding.host}`)) {
        violations.push({
          invariant: "binding-host-exists",
          path,
          detail: `host hosts/${binding.host} does not exist`,
        });
      }
    }
  }
  return violations;
}
