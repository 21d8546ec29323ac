import { describe, expect, it } from "vitest";
import { parseConnectList } from "../../../src/cli/parse-options.js";

describe("--connect HOST:PORT,...", () => {
  it("reads host names, IPv4 and bracketed IPv6 addresses with their ports", () => {
    expect(parseConnectList("127.0.0.1:2181, zk2.example:2182,[::1]:2183")).toEqual([
      { host: "127.0.0.1", port: 2181 },
      { host: "zk2.example", port: 2182 },
      { host: "[::1]", port: 2183 },
    ]);
  });

  it("names what is wrong: no port, a port out of range, a server twice, nothing at all, shell text", () => {
    expect(() => parseConnectList("zk1")).toThrow("--connect: 'zk1' is not HOST:PORT");
    expect(() => parseConnectList("zk1:70000")).toThrow("'zk1:70000' is not HOST:PORT");
    expect(() => parseConnectList("zk1:2181,zk1:2181")).toThrow("a server is named twice");
    expect(() => parseConnectList(" , ")).toThrow("give HOST:PORT of each server");
    expect(() => parseConnectList("$(reboot):2181")).toThrow("is not HOST:PORT");
  });
});
