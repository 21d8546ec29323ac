import type { GenericContainer } from "testcontainers";
import { testcontainers } from "./testcontainers.js";

/** Where a container sits on a user-defined network: its fixed address and DNS names. */
export interface NetworkPlacement {
  readonly network: string;
  readonly address: string;
  readonly aliases: readonly string[];
}

/** A container definition that can be placed at a fixed address on a network. */
export type AddressedContainer = GenericContainer & {
  /** Puts the container on `placement.network` at its address, under its names. */
  placedOn(placement: NetworkPlacement): AddressedContainer;
};

/** The class is made when testcontainers first loads (it extends one of its classes). */
async function addressedContainerClass(): Promise<new (image: string) => AddressedContainer> {
  const { GenericContainer } = await testcontainers();
  /**
   * A container that can be put on a user-defined network at a fixed address
   * at creation (testcontainers connects aliases after creation and has no
   * fixed addresses). A fixed address survives a restart: a new container of
   * the same server gets the same one, as a real host keeps its IP.
   */
  return class AddressedContainer extends GenericContainer {
    /** Puts the container on `placement.network` at its address, under its names. */
    placedOn(placement: NetworkPlacement): this {
      this.networkMode = placement.network;
      this.createOpts = {
        ...this.createOpts,
        Hostname: placement.aliases[0] ?? placement.address,
        NetworkingConfig: {
          EndpointsConfig: {
            [placement.network]: {
              IPAMConfig: { IPv4Address: placement.address },
              Aliases: [...placement.aliases],
            },
          },
        },
      };
      return this;
    }
  };
}

let made: ReturnType<typeof addressedContainerClass> | undefined;

/** A new addressable container definition of `image`. */
export async function addressedContainer(image: string): Promise<AddressedContainer> {
  made ??= addressedContainerClass();
  return new (await made)(image);
}
