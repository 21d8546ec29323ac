/** The official image the docker provider runs unless told otherwise. */
export const OFFICIAL_ZOOKEEPER_IMAGE = "zookeeper:3.8.0";

/** The image docker/build-zookeeper-image.sh builds without a registry. */
export const LOCAL_ZOOKEEPER_IMAGE = "zk-chaos/zookeeper:local";

/** The ZooKeeper image to run: the option, else $ZK_CHAOS_ZOOKEEPER_IMAGE, else the official image. */
export function zooKeeperImage(option?: string): string {
  return option ?? process.env.ZK_CHAOS_ZOOKEEPER_IMAGE ?? OFFICIAL_ZOOKEEPER_IMAGE;
}

/** How to get a ZooKeeper image on an engine that cannot pull it. */
export function zooKeeperImageHint(image: string): string {
  return `build it without a registry with 'docker/build-zookeeper-image.sh ${image}', or choose another with --zookeeper-image (or ZK_CHAOS_ZOOKEEPER_IMAGE)`;
}
