import type { FaultHandler, FaultHandlers } from "./fault-context.js";
import type { FaultKind, FaultSpec } from "./fault-spec.js";
import { CLOCK_FAULTS } from "./handlers/clock.js";
import { CPU_FAULTS } from "./handlers/cpu.js";
import { DISK_FAULTS } from "./handlers/disk.js";
import { MEMBERSHIP_FAULTS } from "./handlers/membership.js";
import { MESSAGE_FAULTS } from "./handlers/message.js";
import { DEGRADATION_FAULTS, PARTITION_FAULTS } from "./handlers/network.js";
import { PROCESS_FAULTS } from "./handlers/process.js";
import { VERSION_FAULTS } from "./handlers/version.js";

/** The fault registry: every kind of the catalogue to the handler that starts it, by family. */
export const FAULT_HANDLERS: FaultHandlers<FaultKind> = {
  ...PROCESS_FAULTS,
  ...PARTITION_FAULTS,
  ...DEGRADATION_FAULTS,
  ...MESSAGE_FAULTS,
  ...DISK_FAULTS,
  ...CPU_FAULTS,
  ...CLOCK_FAULTS,
  ...MEMBERSHIP_FAULTS,
  ...VERSION_FAULTS,
};

/** The handler of a spec's kind, typed for that spec. */
export function handlerOf(spec: FaultSpec): FaultHandler {
  return FAULT_HANDLERS[spec.kind] as FaultHandler;
}
