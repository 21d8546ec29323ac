import { GenericContainer } from "testcontainers";

/** Where a container sits on a user-defined network: its fixed address and DNS names. */
export interface NetworkPlacement {
  readonly network: string;
  readonly address: string;
  readonly aliases: readonly string[];
}

/**
 * A container that can be put on a user-defined network at a fixed address
 * at creation (testcontainers connects aliases after creation and has no
 * fixed addresses). A fixed address survives a restart: a new container of
 * the same server gets the same one, as a real host keeps its IP.
 */
export class AddressedContainer extends GenericContainer {
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
}
