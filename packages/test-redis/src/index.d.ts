/** The redis-server binary: `HB_REDIS_SERVER`, else `redis-server` from the PATH. */
export declare const redisServerPath: string
/** Why redis-server cannot run here; undefined when it can. */
export declare const redisMissing: string | undefined
/**
 * For a suite about to run on Redis: true when it can. When redis-server is
 * missing, warns that `suite` is skipped and returns false, or throws when
 * HB_REQUIRE_REDIS=1.
 */
export declare function requireRedis(suite: string): boolean
/** A port nobody listens on right now, on 127.0.0.1 (the OS picked it). */
export declare function freePort(): Promise<number>

export interface RedisServer {
  readonly port: number
  /** The cluster bus port of a cluster node; undefined otherwise. */
  readonly busPort: number | undefined
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly pid: number
  /** Kills it and waits for its exit (and removes a cluster node's folder). */
  stop(): Promise<void>
  /** Kills it and starts it again, empty, on the same port. */
  restart(): Promise<void>
}

export interface RedisServerOptions {
  /** A cluster node (cluster-enabled, its bus on a second free port). Default false. */
  cluster?: boolean
  /** More redis-server arguments. */
  args?: string[]
  /** Default 10 000. */
  readyTimeoutMs?: number
}

/** A private redis-server on 127.0.0.1 and a free port, nothing persisted. */
export declare function startRedisServer(options?: RedisServerOptions): Promise<RedisServer>

/** Hash slots of a Redis Cluster (16 384). */
export declare const CLUSTER_SLOTS: number

export interface RedisCluster {
  /** Node i serves the slots `ranges[i]`. */
  readonly nodes: RedisServer[]
  /** For node-redis: `createCluster({ rootNodes })`. */
  readonly rootNodes: { url: string }[]
  /** Per node, its slots: [first, last]. */
  readonly ranges: [number, number][]
  /** The index of the node serving `slot`. */
  nodeOfSlot(slot: number): number
  stop(): Promise<void>
}

export interface RedisClusterOptions {
  /** Default 3. */
  masters?: number
  /** Default 15 000. */
  readyTimeoutMs?: number
}

/** A private Redis Cluster: `masters` nodes, no replicas, slots split evenly. */
export declare function startRedisCluster(options?: RedisClusterOptions): Promise<RedisCluster>
