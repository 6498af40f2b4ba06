import { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';

import { DataSource } from './datasource';
import { QuorateDataSourceOptions, QuorateQuery } from './types';

/**
 * A template service over fixed dashboard variables. Like Grafana's, it
 * prefers scoped variables (repeated panels) and formats multi-value
 * variables by the format asked for; without 'csv' it would produce the
 * glob form `{a,b}` the backend cannot split.
 */
function fakeTemplateSrv(variables: Record<string, string[]>): TemplateSrv & { formats: unknown[] } {
  const formats: unknown[] = [];
  return {
    formats,
    getVariables: () => [],
    containsTemplate: (target?: string) => /\$\w+/.test(target ?? ''),
    updateTimeRange: () => {},
    replace(target?: string, scopedVars?: ScopedVars, format?: string | Function) {
      formats.push(format);
      return (target ?? '').replace(/\$\{?(\w+)\}?/g, (match, name: string) => {
        const scoped = scopedVars?.[name];
        const values = scoped ? [String(scoped.value)] : variables[name];
        if (!values) {
          return match;
        }
        if (values.length === 1) {
          return values[0];
        }
        return format === 'csv' ? values.join(',') : `{${values.join(',')}}`;
      });
    },
  };
}

function newDataSource(): DataSource {
  const settings = {
    id: 1,
    uid: 'quorate-uid',
    type: 'quorate-datasource',
    name: 'Quorate',
    access: 'proxy',
    jsonData: { driver: 'postgres' },
    meta: { id: 'quorate-datasource' },
    readOnly: false,
  } as unknown as DataSourceInstanceSettings<QuorateDataSourceOptions>;
  return new DataSource(settings);
}

describe('DataSource.applyTemplateVariables', () => {
  it('interpolates endpoint and agent, multi-value as a comma-separated list', () => {
    const srv = fakeTemplateSrv({ endpoint: ['web_home', 'api_login'], agent: ['eu-1'] });
    setTemplateSrv(srv);
    const query: QuorateQuery = {
      refId: 'A',
      queryType: 'results',
      endpoint: '$endpoint',
      agent: '${agent},us-1',
      metric: 'success',
    };
    expect(newDataSource().applyTemplateVariables(query, {})).toEqual({
      refId: 'A',
      queryType: 'results',
      endpoint: 'web_home,api_login',
      agent: 'eu-1,us-1',
      metric: 'success',
    });
    expect(srv.formats).toEqual(['csv', 'csv']);
  });

  it('prefers scoped variables of a repeated panel', () => {
    setTemplateSrv(fakeTemplateSrv({ agent: ['eu-1', 'us-1'] }));
    const scoped: ScopedVars = { agent: { text: 'us-1', value: 'us-1' } };
    const got = newDataSource().applyTemplateVariables({ refId: 'A', queryType: 'status', agent: '$agent' }, scoped);
    expect(got.agent).toBe('us-1');
  });

  it('leaves absent filters absent and other fields untouched', () => {
    setTemplateSrv(fakeTemplateSrv({ endpoint: ['x'] }));
    const query: QuorateQuery = { refId: 'B', queryType: 'alerts', eventTypes: ['FIRED'], limit: 5 };
    const got = newDataSource().applyTemplateVariables(query, {});
    expect(got).toEqual({ refId: 'B', queryType: 'alerts', eventTypes: ['FIRED'], limit: 5 });
    expect(got.endpoint).toBeUndefined();
    expect(got.agent).toBeUndefined();
  });
});

describe('DataSource.filterQuery', () => {
  it('drops hidden queries only', () => {
    const ds = newDataSource();
    expect(ds.filterQuery({ refId: 'A', hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', hide: false })).toBe(true);
    expect(ds.filterQuery({ refId: 'A' })).toBe(true);
  });
});

describe('DataSource.getDefaultQuery', () => {
  it('starts new queries as status', () => {
    expect(newDataSource().getDefaultQuery!('dashboard' as never)).toEqual({ queryType: 'status' });
  });
});

describe('DataSource.metricFindQuery', () => {
  it('maps the endpoints resource to name and key', async () => {
    const ds = newDataSource();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue([
      { text: 'Home page', value: 'web_home' },
      { text: 'Login', value: 'api_login' },
    ]);
    await expect(ds.metricFindQuery('endpoints')).resolves.toEqual([
      { text: 'Home page', value: 'web_home' },
      { text: 'Login', value: 'api_login' },
    ]);
    expect(getResource).toHaveBeenCalledWith('endpoints');
  });

  it('maps the agents resource, falling back to the id for a missing name', async () => {
    const ds = newDataSource();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue([
      { text: 'Frankfurt', value: 'eu-1' },
      { value: 'us-1' },
      { text: '', value: 'ap-1' },
      { text: 'no value' },
      null,
    ]);
    await expect(ds.metricFindQuery({ query: ' agents ' })).resolves.toEqual([
      { text: 'Frankfurt', value: 'eu-1' },
      { text: 'us-1', value: 'us-1' },
      { text: 'ap-1', value: 'ap-1' },
    ]);
    expect(getResource).toHaveBeenCalledWith('agents');
  });

  it('refuses other queries naming the supported ones', async () => {
    const ds = newDataSource();
    const getResource = jest.spyOn(ds, 'getResource');
    await expect(ds.metricFindQuery('hosts')).rejects.toThrow(
      'Quorate variable query "hosts" is not supported: use one of "endpoints", "agents"'
    );
    expect(getResource).not.toHaveBeenCalled();
  });

  it('reports a resource answer that is not a list', async () => {
    const ds = newDataSource();
    jest.spyOn(ds, 'getResource').mockResolvedValue({ error: 'boom' });
    await expect(ds.metricFindQuery('agents')).rejects.toThrow(/resource "agents" answered with object/);
  });
});
