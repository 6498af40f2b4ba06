import type { DataQuery, DataSourceJsonData } from '@grafana/schema';

// The query and settings shapes mirror grafana-plugin/README.md, which the Go
// backend in pkg/ implements too; change them only together with the README.

export const QUERY_TYPES = ['status', 'current', 'results', 'failures', 'uptime', 'agents', 'alerts'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export const CURRENT_METRICS = [
  'firing',
  'degraded',
  'cannot_reach_quorum',
  'triggered_agents',
  'reporting_agents',
  'agent_success',
  'certificate_expiry_seconds',
  'agent_stale',
] as const;
export type CurrentMetric = (typeof CURRENT_METRICS)[number];

export const RESULTS_METRICS = ['duration_ms', 'success'] as const;
export type ResultsMetric = (typeof RESULTS_METRICS)[number];

export type Metric = CurrentMetric | ResultsMetric;

/** The metrics each query type accepts; types not listed take no `metric`. */
export const METRICS_BY_TYPE: Partial<Record<QueryType, readonly Metric[]>> = {
  current: CURRENT_METRICS,
  results: RESULTS_METRICS,
};

/** The metric the backend uses when a query that takes one leaves it empty. */
export const DEFAULT_METRIC: Partial<Record<QueryType, Metric>> = {
  current: 'firing',
  results: 'duration_ms',
};

export const PER_VALUES = ['endpoint', 'agent'] as const;
export type Per = (typeof PER_VALUES)[number];
export const DEFAULT_PER: Per = 'endpoint';

export const EVENT_TYPES = [
  'FIRED',
  'RESOLVED',
  'REMINDER',
  'DEGRADED',
  'DEGRADED_CLEARED',
  'AGENT_STALE',
  'AGENT_BACK',
  'AGENT_TRIGGERED',
  'AGENT_CLEARED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Query types that take `limit`, with the backend's default for each. */
export const DEFAULT_LIMIT: Partial<Record<QueryType, number>> = {
  failures: 100,
  alerts: 1000,
};
export const MAX_LIMIT = 10000;

/** Query types whose `endpoint` filter applies (every type but `agents`). */
export function usesEndpoint(queryType: QueryType): boolean {
  return queryType !== 'agents';
}

export interface QuorateQuery extends DataQuery {
  queryType?: QueryType;
  /** Endpoint keys (`<group>_<name>`), comma-separated; empty or `*` for all. */
  endpoint?: string;
  /** Agent ids, comma-separated; empty or `*` for all. */
  agent?: string;
  /** For `current` and `results`; see METRICS_BY_TYPE. */
  metric?: Metric;
  /** For `uptime`. */
  per?: Per;
  /** For `alerts`; empty means all. */
  eventTypes?: EventType[];
  /** For `failures` and `alerts`: most recent rows, 1..MAX_LIMIT. */
  limit?: number;
}

export const DEFAULT_QUERY: Partial<QuorateQuery> = {
  queryType: 'status',
};

export const DRIVERS = ['postgres', 'sqlite'] as const;
export type Driver = (typeof DRIVERS)[number];

export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SSLMode = (typeof SSL_MODES)[number];

export const DEFAULT_HOST = '127.0.0.1:5432';
export const DEFAULT_SSL_MODE: SSLMode = 'require';
export const DEFAULT_MAX_OPEN_CONNS = 4;

/** Plain settings (`jsonData`). */
export interface QuorateDataSourceOptions extends DataSourceJsonData {
  driver?: Driver;
  /** PostgreSQL `host:port`. */
  host?: string;
  database?: string;
  user?: string;
  sslMode?: SSLMode;
  /** PostgreSQL schema holding Quorate's tables; empty for the user's search_path. */
  schema?: string;
  /** SQLite database file the central writes, opened read-only. */
  path?: string;
  maxOpenConns?: number;
}

/** Encrypted settings (`secureJsonData`); Grafana never sends them back to the browser. */
export interface QuorateSecureJsonData {
  password?: string;
}

/** The shape of the backend resources `endpoints` and `agents`. */
export interface ResourceItem {
  text: string;
  value: string;
}
