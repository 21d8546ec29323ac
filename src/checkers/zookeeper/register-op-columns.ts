/**
 * Register operations as columns of numbers: a million of them cross to a
 * worker thread as two transferred buffers instead of a million cloned
 * objects. Only histories whose register values are numbers (or absent) and
 * whose processes are worker numbers are encoded, which is every history the
 * register workload writes.
 */
import { UNKNOWN } from "../linearizability/model.js";
import type { PairedOp } from "./operations.js";
import { forEachRegisterOp, type RegisterLinOp } from "./register-history.js";

/** The operations' numbers and codes, each a transferable buffer. */
export interface RegisterOpColumns {
  readonly count: number;
  /** FIELDS numbers per operation. */
  readonly numbers: Float64Array;
  /** Two codes per operation: the input's f, the output's kind. */
  readonly codes: Uint8Array;
}

const FIELDS = 9;
const [ID, PROCESS, CALL, RET, KEY, A, B, OUT, ZXID] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
const INPUT_F = ["read", "write", "cas"] as const;
/** Output kinds: nothing (a write), unknown, a cas's true or false, a value in OUT, absent. */
const [NOTHING, UNKNOWN_OUTPUT, TRUE, FALSE, VALUE, ABSENT] = [0, 1, 2, 3, 4, 5] as const;

/** A value the columns can carry: a number, or null as NaN (JSON has no NaN). */
const encodable = (value: unknown): value is number | null =>
  value === null || (typeof value === "number" && !Number.isNaN(value));
const decodeValue = (value: number): number | null => (Number.isNaN(value) ? null : value);

/** Writes one operation in row `index`; false when it has a value or process the columns cannot carry. */
function writeRow(
  numbers: Float64Array,
  codes: Uint8Array,
  index: number,
  op: RegisterLinOp,
): boolean {
  if (typeof op.process !== "number") return false;
  const row = index * FIELDS;
  const { input, output } = op;
  const [a, b] =
    input.f === "read"
      ? [null, null]
      : input.f === "write"
        ? [input.value, null]
        : [input.from, input.to];
  if (!encodable(a) || !encodable(b)) return false;
  numbers[row + ID] = op.id;
  numbers[row + PROCESS] = op.process;
  numbers[row + CALL] = op.call;
  numbers[row + RET] = op.ret;
  numbers[row + KEY] = input.key;
  numbers[row + A] = a ?? Number.NaN;
  numbers[row + B] = b ?? Number.NaN;
  numbers[row + ZXID] = op.zxid ?? Number.NaN;
  codes[index * 2] = INPUT_F.indexOf(input.f);
  let kind: number;
  if (output === undefined) kind = NOTHING;
  else if (output === UNKNOWN) kind = UNKNOWN_OUTPUT;
  else if (output === true) kind = TRUE;
  else if (output === false) kind = FALSE;
  else if (output === null) kind = ABSENT;
  else if (encodable(output)) {
    kind = VALUE;
    numbers[row + OUT] = output;
  } else return false;
  codes[index * 2 + 1] = kind;
  return true;
}

/** The operations as columns, or undefined when one has a value or process the columns cannot carry. */
export function encodeRegisterOps(ops: readonly RegisterLinOp[]): RegisterOpColumns | undefined {
  const numbers = new Float64Array(ops.length * FIELDS);
  const codes = new Uint8Array(ops.length * 2);
  for (const [index, op] of ops.entries())
    if (!writeRow(numbers, codes, index, op)) return undefined;
  return { count: ops.length, numbers, codes };
}

/**
 * Columns written one operation at a time, sized for at most `capacity`
 * operations: a pass over the ops that does other work too writes them as it goes.
 */
export class RegisterOpColumnsBuilder {
  private readonly numbers: Float64Array;
  private readonly codes: Uint8Array;
  private count = 0;
  private carried = true;

  constructor(capacity: number) {
    this.numbers = new Float64Array(capacity * FIELDS);
    this.codes = new Uint8Array(capacity * 2);
  }

  /** Appends one operation. */
  add(op: RegisterLinOp): void {
    this.carried &&= writeRow(this.numbers, this.codes, this.count++, op);
  }

  /** The columns, or undefined when one operation could not be carried. */
  columns(): RegisterOpColumns | undefined {
    return this.carried
      ? { count: this.count, numbers: this.numbers, codes: this.codes }
      : undefined;
  }
}

/**
 * The register operations of paired ops (registerOperations' list) written
 * straight into columns: none is kept as an object. Undefined as for
 * encodeRegisterOps.
 */
export function registerOpColumns(paired: readonly PairedOp[]): RegisterOpColumns | undefined {
  // At most one operation per paired op: the buffers are sized for that and `count` says how many.
  const builder = new RegisterOpColumnsBuilder(paired.length);
  forEachRegisterOp(paired, false, (op) => builder.add(op));
  return builder.columns();
}

/** The operation in row `index` of the columns. */
function decodeRow(columns: RegisterOpColumns, index: number): RegisterLinOp {
  const { numbers, codes } = columns;
  const row = index * FIELDS;
  const key = numbers[row + KEY] as number;
  const a = decodeValue(numbers[row + A] as number);
  const f = INPUT_F[codes[index * 2] as number];
  const input =
    f === "read"
      ? { f, key }
      : f === "write"
        ? { f, value: a, key }
        : { f: "cas" as const, from: a, to: decodeValue(numbers[row + B] as number), key };
  const kind = codes[index * 2 + 1] as number;
  const zxid = numbers[row + ZXID] as number;
  return {
    id: numbers[row + ID] as number,
    process: numbers[row + PROCESS] as number,
    call: numbers[row + CALL] as number,
    ret: numbers[row + RET] as number,
    input,
    output: kind === VALUE ? (numbers[row + OUT] as number) : OUTPUTS[kind as 0],
    zxid: Number.isNaN(zxid) ? undefined : zxid,
  };
}

const OUTPUTS = [undefined, UNKNOWN, true, false, undefined, null] as const;

/** The operations the columns hold, as encodeRegisterOps was given them. */
export function decodeRegisterOps(columns: RegisterOpColumns): RegisterLinOp[] {
  return Array.from({ length: columns.count }, (_, index) => decodeRow(columns, index));
}

/**
 * The operations of each register in the order they were encoded, one
 * register's list made at a time, registers in the order they first appear.
 */
export function* registerListsOf(columns: RegisterOpColumns): Generator<RegisterLinOp[]> {
  const rows = new Map<number, number[]>();
  for (let index = 0; index < columns.count; index++) {
    const key = columns.numbers[index * FIELDS + KEY] as number;
    let list = rows.get(key);
    if (list === undefined) {
      list = [];
      rows.set(key, list);
    }
    list.push(index);
  }
  for (const list of rows.values()) yield list.map((index) => decodeRow(columns, index));
}
