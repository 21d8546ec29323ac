/**
 * testcontainers, loaded on first use: importing it costs about 0.4 s, and
 * most commands (check, wire, report, a local run) never start a container.
 * Its settings for this machine kind are in place before it loads.
 */
import type { GenericContainer } from "testcontainers";

type Testcontainers = typeof import("testcontainers");

let loaded: Promise<Testcontainers> | undefined;

/** testcontainers settings for this machine kind: the reaper's image cannot be pulled, and host networking means 127.0.0.1. */
export function configureTestcontainers(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
}

/** The testcontainers module, configured for this machine kind. */
export function testcontainers(): Promise<Testcontainers> {
  configureTestcontainers();
  loaded ??= import("testcontainers");
  return loaded;
}

/** The container runtime client (the Docker engine's API), loading testcontainers on first use. */
export async function runtimeClient(): ReturnType<Testcontainers["getContainerRuntimeClient"]> {
  return (await testcontainers()).getContainerRuntimeClient();
}

/** A new container definition of `image`. */
export async function containerOf(image: string): Promise<GenericContainer> {
  return new (await testcontainers()).GenericContainer(image);
}
