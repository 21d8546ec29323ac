/**
 * Worker thread entry: the general linearizability verdict on register
 * operations sent as columns (general-in-worker.ts starts it), so the search
 * runs on a second core while the zxid checks run on the first.
 */
import { parentPort, workerData } from "node:worker_threads";
import { generalVerdictOfLists } from "./general-verdict.js";
import { type RegisterOpColumns, registerListsOf } from "./register-op-columns.js";

const { columns, timeoutMs } = workerData as { columns: RegisterOpColumns; timeoutMs: number };
// Register by register: only one register's operations are objects at a time.
parentPort?.postMessage(generalVerdictOfLists(registerListsOf(columns), timeoutMs));
