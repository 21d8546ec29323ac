import { BadInputError } from "../errors.js";

/** ZooKeeper and JVM settings for every server of an ensemble. */
export interface ZooKeeperSettings {
  /** Milliseconds per tick, ZooKeeper's time unit. */
  readonly tickTime: number;
  /** Ticks a follower may take to connect and sync to a leader. */
  readonly initLimit: number;
  /** Ticks a follower may lag behind the leader before it is dropped. */
  readonly syncLimit: number;
  /** Lowest session timeout the servers grant (ms); ZooKeeper's default is 2 ticks. */
  readonly minSessionTimeout?: number;
  /** Highest session timeout the servers grant (ms); ZooKeeper's default is 20 ticks. */
  readonly maxSessionTimeout?: number;
  /** Maximum heap per server JVM, in MiB. */
  readonly heapMb: number;
  /** Extra JVM flags, appended after ours (so they win). */
  readonly jvmFlags: readonly string[];
  /** Java system properties (-Dkey=value). */
  readonly systemProperties: Readonly<Record<string, string>>;
  /** Extra zoo.cfg keys; they override our defaults except the per-server layout keys. */
  readonly extraConfig: Readonly<Record<string, string>>;
}

/** Names of the built-in setting profiles. */
export type SettingsProfile = "fast" | "production";

/**
 * Fast settings for tests and CI, measured on a 2-core machine: short ticks,
 * a small serial-GC heap and C1 only, which start a JVM fastest.
 */
export const FAST_SETTINGS: ZooKeeperSettings = {
  tickTime: 200,
  initLimit: 10,
  syncLimit: 5,
  heapMb: 128,
  jvmFlags: ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xshare:auto"],
  // Election back-off doubles up to 60 s while a server is cut off; bound it so heals take < 1 s.
  systemProperties: { "zookeeper.fastleader.maxNotificationInterval": "1000" },
  extraConfig: {},
};

/** ZooKeeper's production defaults (tickTime 2000, initLimit 10, syncLimit 5). */
export const PRODUCTION_SETTINGS: ZooKeeperSettings = {
  tickTime: 2000,
  initLimit: 10,
  syncLimit: 5,
  heapMb: 512,
  jvmFlags: [],
  systemProperties: {},
  extraConfig: {},
};

/** The settings of a profile. */
export function profileSettings(profile: SettingsProfile): ZooKeeperSettings {
  return profile === "production" ? PRODUCTION_SETTINGS : FAST_SETTINGS;
}

/** Keys that zk-chaos writes per server; a user may not override them. */
export const LAYOUT_KEYS = ["dataDir", "dataLogDir", "clientPort", "clientPortAddress"] as const;

function requirePositiveInt(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value <= 0) {
    throw new BadInputError(`ZooKeeper setting ${name} must be a positive integer, got ${value}`);
  }
}

/** Merges overrides onto a profile and validates the result. */
export function resolveSettings(
  overrides: Partial<ZooKeeperSettings> = {},
  profile: SettingsProfile = "fast",
): ZooKeeperSettings {
  const base = profileSettings(profile);
  const settings: ZooKeeperSettings = {
    ...base,
    ...overrides,
    systemProperties: { ...base.systemProperties, ...overrides.systemProperties },
    extraConfig: { ...base.extraConfig, ...overrides.extraConfig },
  };
  validateSettings(settings);
  return settings;
}

/** Throws a BadInputError naming the first invalid setting. */
export function validateSettings(settings: ZooKeeperSettings): void {
  requirePositiveInt("tickTime", settings.tickTime);
  requirePositiveInt("initLimit", settings.initLimit);
  requirePositiveInt("syncLimit", settings.syncLimit);
  requirePositiveInt("minSessionTimeout", settings.minSessionTimeout);
  requirePositiveInt("maxSessionTimeout", settings.maxSessionTimeout);
  requirePositiveInt("heapMb", settings.heapMb);
  const min = settings.minSessionTimeout ?? 2 * settings.tickTime;
  const max = settings.maxSessionTimeout ?? 20 * settings.tickTime;
  if (min > max) {
    throw new BadInputError(
      `ZooKeeper setting minSessionTimeout (${min} ms) is above maxSessionTimeout (${max} ms): lower the first or raise the second`,
    );
  }
  for (const [key, value] of Object.entries(settings.extraConfig)) {
    if (!/^[A-Za-z0-9][\w.-]*$/.test(key)) {
      throw new BadInputError(
        `zoo.cfg key '${key}' is not a valid key: use letters, digits, '.', '_' and '-'`,
      );
    }
    if ((LAYOUT_KEYS as readonly string[]).includes(key) || /^server\.\d+$/.test(key)) {
      throw new BadInputError(
        `zoo.cfg key '${key}' is set by zk-chaos for each server and cannot be overridden`,
      );
    }
    if (/[\r\n]/.test(value)) {
      throw new BadInputError(`zoo.cfg value for '${key}' must be a single line`);
    }
  }
  for (const [key, value] of Object.entries(settings.systemProperties)) {
    if (!/^[A-Za-z][\w.-]*$/.test(key) || /[\r\n\0]/.test(value)) {
      throw new BadInputError(`Java system property '${key}' has an invalid name or value`);
    }
  }
}
