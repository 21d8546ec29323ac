/**
 * ZooKeeper's multiRead (opcode 22, 3.6+): several getData in one request,
 * answered from one state of the server, so the reads are atomic. The
 * client library knows nothing of it: this writes the request and teaches
 * the library's multi reply reader the getData result it lacks.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** A record class generated from ZooKeeper's jute specification (the library's). */
type JuteRecord = {
  deserialize(buffer: Buffer, offset: number): number;
  setChrootPath?(path: string | undefined): void;
} & Record<string, unknown>;

const jute = require("node-zookeeper-client/lib/jute/index.js") as {
  TransactionResponse: {
    prototype: { deserialize(this: MultiReply, buffer: Buffer, offset: number): number };
  };
  protocol: Record<string, new () => JuteRecord>;
};

/** The library's reply of a multi: its results in order. */
interface MultiReply {
  results: Record<string, unknown>[];
  chrootPath?: string;
}

/** ZooKeeper's multiRead opcode. */
export const MULTI_READ_OPCODE = 22;
/** The opcode whose reply reader the library applies to multi replies. */
export const MULTI_OPCODE = 14;

const GET_DATA = 4;
const ERROR = -1;

/** Reads one record of a generated class: its fields and its length. */
function record(
  name: string,
  buffer: Buffer,
  offset: number,
  chroot: string | undefined,
): { fields: JuteRecord; length: number } {
  const Record = jute.protocol[name] as new () => JuteRecord;
  const fields = new Record();
  fields.setChrootPath?.(chroot);
  return { fields, length: fields.deserialize(buffer, offset) };
}

/** How each result type of a multi or multiRead reply is read (ZooKeeper's MultiResponse). */
const RESULT_READERS: Readonly<
  Record<
    number,
    (
      buffer: Buffer,
      offset: number,
      chroot: string | undefined,
    ) => { result: Record<string, unknown>; length: number }
  >
> = {
  1: (buffer, offset, chroot) => {
    const { fields, length } = record("CreateResponse", buffer, offset, chroot);
    return { result: { path: fields.path }, length };
  },
  2: () => ({ result: {}, length: 0 }),
  [GET_DATA]: (buffer, offset, chroot) => {
    const { fields, length } = record("GetDataResponse", buffer, offset, chroot);
    return { result: { data: fields.data, stat: fields.stat }, length };
  },
  5: (buffer, offset, chroot) => {
    const { fields, length } = record("SetDataResponse", buffer, offset, chroot);
    return { result: { stat: fields.stat }, length };
  },
  13: () => ({ result: {}, length: 0 }),
  [ERROR]: (buffer, offset, chroot) => {
    const { fields, length } = record("ErrorResponse", buffer, offset, chroot);
    return { result: { err: fields.err }, length };
  },
};

let taught = false;

/** Replaces the library's multi reply reader with one that also reads getData results (once per process). */
export function teachMultiReadReplies(): void {
  if (taught) return;
  taught = true;
  jute.TransactionResponse.prototype.deserialize = function deserialize(
    this: MultiReply,
    buffer: Buffer,
    offset: number,
  ): number {
    let read = 0;
    for (;;) {
      const { fields: header, length } = record("MultiHeader", buffer, offset + read, undefined);
      read += length;
      if (header.done) return read;
      const reader = RESULT_READERS[header.type as number];
      if (reader === undefined)
        throw new Error(`Unknown type: ${String(header.type)} in transaction response.`);
      const { result, length: resultLength } = reader(buffer, offset + read, this.chrootPath);
      read += resultLength;
      this.results.push({ type: header.type, ...result });
    }
  };
}

/** A multiRead request's body: one getData (no watch) per path, then the end marker. */
export function multiReadBody(paths: readonly string[]): Buffer {
  const parts = paths.map((path) => {
    const bytes = Buffer.from(path, "utf8");
    const part = Buffer.alloc(4 + 1 + 4 + 4 + bytes.length + 1);
    let at = part.writeInt32BE(GET_DATA, 0);
    at = part.writeUInt8(0, at);
    at = part.writeInt32BE(-1, at);
    at = part.writeInt32BE(bytes.length, at);
    at += bytes.copy(part, at);
    part.writeUInt8(0, at);
    return part;
  });
  const end = Buffer.alloc(9);
  end.writeInt32BE(-1, 0);
  end.writeUInt8(1, 4);
  end.writeInt32BE(-1, 5);
  return Buffer.concat([...parts, end]);
}

/** One read of a multiRead: the data and Stat, or the error code (e.g. NoNode). */
export type MultiReadResult =
  | { readonly data: Buffer; readonly stat: unknown }
  | { readonly error: number };

/** The reads of a multiRead reply, in request order. */
export function multiReadResults(reply: unknown): MultiReadResult[] {
  const results = (reply as { payload?: MultiReply } | undefined)?.payload?.results ?? [];
  return results.map((result) =>
    result.type === ERROR
      ? { error: result.err as number }
      : { data: (result.data as Buffer | undefined) ?? Buffer.alloc(0), stat: result.stat },
  );
}
