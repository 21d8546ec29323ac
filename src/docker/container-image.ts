import { ZkChaosError } from "../errors.js";
import { configureTestcontainers } from "./docker-engine.js";
import { runtimeClient, testcontainers } from "./testcontainers.js";

/** Whether an image is usable, and how the engine came to have it. */
export interface ImageAvailability {
  readonly available: boolean;
  /** "present", "pulled", or why it is neither. */
  readonly how: string;
}

/** Whether the engine has the image (no registry is consulted). */
export async function imagePresent(image: string): Promise<boolean> {
  configureTestcontainers();
  try {
    const client = await runtimeClient();
    const { ImageName } = await testcontainers();
    return await client.image.exists(ImageName.fromString(image));
  } catch {
    return false;
  }
}

/** Makes the image available: present on the engine, or pulled (bounded in time, said in the log); says which, or why not. */
export async function provideImage(
  image: string,
  log: (line: string) => void = () => {},
  pullTimeoutMs = 300_000,
): Promise<ImageAvailability> {
  if (await imagePresent(image)) return { available: true, how: "present" };
  configureTestcontainers();
  log(`pulling image ${image} (at most ${pullTimeoutMs / 1000} s)`);
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await runtimeClient();
    const { ImageName } = await testcontainers();
    await Promise.race([
      client.image.pull(ImageName.fromString(image), { force: false, platform: undefined }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`pull did not finish in ${pullTimeoutMs / 1000} s`)),
          pullTimeoutMs,
        );
      }),
    ]);
    return { available: true, how: "pulled" };
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0]?.trim() || "pull failed";
    return { available: false, how: `not on the engine and not pullable (${reason})` };
  } finally {
    clearTimeout(timer);
  }
}

/** Like provideImage, but a missing image is a clear input error naming the image and how to build it. */
export async function requireImage(
  image: string,
  buildHint: string,
  log?: (line: string) => void,
): Promise<void> {
  const availability = await provideImage(image, log);
  if (!availability.available) {
    throw new ZkChaosError("BAD_INPUT", `image ${image} is ${availability.how}: ${buildHint}`);
  }
}
