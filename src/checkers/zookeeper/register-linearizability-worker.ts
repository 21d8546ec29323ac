/**
 * Worker thread entry: the general linearizability verdict on register
 * operations sent as columns (general-in-worker.ts starts it), so the search
 * runs on a second core while the zxid checks run on the first.
 */
import { parentPort, workerData } from "node:worker_threads";
import { generalRegisterVerdict } from "./general-verdict.js";
import { decodeRegisterOps, type RegisterOpColumns } from "./register-op-columns.js";

const { columns, timeoutMs } = workerData as { columns: RegisterOpColumns; timeoutMs: number };
parentPort?.postMessage(generalRegisterVerdict(decodeRegisterOps(columns), timeoutMs));
