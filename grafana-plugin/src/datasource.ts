import { CoreApp, DataSourceInstanceSettings, MetricFindValue, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { DEFAULT_QUERY, QuorateDataSourceOptions, QuorateQuery, ResourceItem } from './types';

/** Template-variable queries and the backend resource each one reads. */
export const VARIABLE_QUERIES = ['endpoints', 'agents'] as const;
type VariableQuery = (typeof VARIABLE_QUERIES)[number];

function isVariableQuery(q: string): q is VariableQuery {
  return (VARIABLE_QUERIES as readonly string[]).includes(q);
}

export class DataSource extends DataSourceWithBackend<QuorateQuery, QuorateDataSourceOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<QuorateDataSourceOptions>) {
    super(instanceSettings);
  }

  getDefaultQuery(_: CoreApp): Partial<QuorateQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Interpolates dashboard variables in the two filter fields. Multi-value
   * variables become a comma-separated list, the form the backend splits.
   */
  applyTemplateVariables(query: QuorateQuery, scopedVars: ScopedVars): QuorateQuery {
    const templateSrv = getTemplateSrv();
    const interpolate = (value: string | undefined) =>
      value === undefined ? undefined : templateSrv.replace(value, scopedVars, 'csv');
    return {
      ...query,
      endpoint: interpolate(query.endpoint),
      agent: interpolate(query.agent),
    };
  }

  /** Hidden queries are not sent to the backend at all. */
  filterQuery(query: QuorateQuery): boolean {
    return !query.hide;
  }

  /**
   * Values for query variables: the query `endpoints` lists endpoints (text
   * is the name, value the endpoint key), `agents` lists agents by id.
   */
  async metricFindQuery(query: string | { query?: string }): Promise<MetricFindValue[]> {
    const text = (typeof query === 'string' ? query : (query?.query ?? '')).trim();
    if (!isVariableQuery(text)) {
      throw new Error(
        `Quorate variable query "${text}" is not supported: use one of ${VARIABLE_QUERIES.map((q) => `"${q}"`).join(', ')}`
      );
    }
    const items = await this.getResource<unknown>(text);
    if (!Array.isArray(items)) {
      throw new Error(`Quorate resource "${text}" answered with ${typeof items}, expected a list of {text, value}`);
    }
    return items.filter(isResourceItem).map((item) => ({ text: item.text || item.value, value: item.value }));
  }
}

function isResourceItem(item: unknown): item is ResourceItem {
  if (typeof item !== 'object' || item === null) {
    return false;
  }
  const { text, value } = item as Record<string, unknown>;
  return typeof value === 'string' && value !== '' && (text === undefined || typeof text === 'string');
}
