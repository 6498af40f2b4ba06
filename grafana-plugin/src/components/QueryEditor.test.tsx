import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { DataSource } from '../datasource';
import { CURRENT_METRICS, QuorateQuery, RESULTS_METRICS } from '../types';
import { changeQueryType, parseLimit, QueryEditor } from './QueryEditor';

function setup(query: QuorateQuery) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const utils = render(
    <QueryEditor datasource={{} as DataSource} query={query} onChange={onChange} onRunQuery={onRunQuery} />
  );
  // The editor is controlled: feed each change back like Grafana does.
  onChange.mockImplementation((q: QuorateQuery) => {
    utils.rerender(
      <QueryEditor datasource={{} as DataSource} query={q} onChange={onChange} onRunQuery={onRunQuery} />
    );
  });
  return { ...utils, onChange, onRunQuery, user: userEvent.setup() };
}

async function choose(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  await user.click(await screen.findByRole('option', { name: new RegExp(`^${option}\\b`) }));
}

const ALL_METRICS = [...CURRENT_METRICS, ...RESULTS_METRICS];

/** Opens a metric menu and returns the metric each option stands for (an option reads label then description). */
async function listMetricOptions(user: ReturnType<typeof userEvent.setup>): Promise<string[]> {
  await user.click(screen.getByLabelText('Metric'));
  const listbox = await screen.findByRole('listbox');
  const names = within(listbox)
    .getAllByRole('option')
    .map((o) => {
      const text = o.textContent ?? '';
      const matches = ALL_METRICS.filter((m) => text.startsWith(m)).sort((a, b) => b.length - a.length);
      return matches[0] ?? text;
    });
  await user.keyboard('{Escape}');
  return names;
}

describe('QueryEditor', () => {
  it('shows a status query with only the filters when the query has no type yet', () => {
    setup({ refId: 'A' });
    expect(screen.getByLabelText('Query type')).toHaveValue('Status');
    expect(screen.getByLabelText('Endpoint')).toHaveValue('');
    expect(screen.getByLabelText('Agent')).toHaveValue('');
    expect(screen.queryByLabelText('Metric')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Limit')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Event types')).not.toBeInTheDocument();
    expect(screen.queryByRole('radiogroup', { name: 'Per' })).not.toBeInTheDocument();
  });

  it('switching to current sets the default metric and runs the query', async () => {
    const { user, onChange, onRunQuery } = setup({ refId: 'A', queryType: 'status', endpoint: 'web_home' });
    await choose(user, 'Query type', 'Current');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'current', endpoint: 'web_home', metric: 'firing' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.getByLabelText('Metric')).toHaveValue('firing');
  });

  it('offers only the metrics of the chosen type', async () => {
    const { user } = setup({ refId: 'A', queryType: 'current' });
    expect(await listMetricOptions(user)).toEqual([...CURRENT_METRICS]);

    await choose(user, 'Query type', 'Results');
    expect(await listMetricOptions(user)).toEqual([...RESULTS_METRICS]);
  });

  it('resets a metric the new type does not accept', async () => {
    const { user, onChange } = setup({ refId: 'A', queryType: 'current', metric: 'agent_stale' });
    await choose(user, 'Query type', 'Results');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'results', metric: 'duration_ms' });
    expect(screen.getByLabelText('Metric')).toHaveValue('duration_ms');
  });

  it('changes the metric and runs the query', async () => {
    const { user, onChange, onRunQuery } = setup({ refId: 'A', queryType: 'results', metric: 'duration_ms' });
    await choose(user, 'Metric', 'success');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'results', metric: 'success' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('flags a stored metric that is not valid for the type', () => {
    setup({ refId: 'A', queryType: 'results', metric: 'firing' });
    expect(screen.getByText(/Metric "firing" is not valid for results/)).toBeInTheDocument();
  });

  it('shows per for uptime, defaulting to endpoint', async () => {
    const { user, onChange, onRunQuery } = setup({ refId: 'A', queryType: 'uptime' });
    const per = screen.getByRole('radiogroup', { name: 'Per' });
    expect(within(per).getByRole('radio', { name: 'Endpoint' })).toBeChecked();
    await user.click(within(per).getByRole('radio', { name: 'Agent' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'uptime', per: 'agent' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByLabelText('Metric')).not.toBeInTheDocument();
  });

  it('shows event types and a limit defaulting to 1000 for alerts', async () => {
    const { user, onChange, onRunQuery } = setup({ refId: 'A', queryType: 'alerts' });
    expect(screen.getByLabelText('Limit')).toHaveAttribute('placeholder', '1000');
    await user.click(screen.getByLabelText('Event types'));
    await user.click(await screen.findByRole('option', { name: 'AGENT_STALE' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'alerts', eventTypes: ['AGENT_STALE'] });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('shows a limit defaulting to 100 and no event types for failures', () => {
    setup({ refId: 'A', queryType: 'failures' });
    expect(screen.getByLabelText('Limit')).toHaveAttribute('placeholder', '100');
    expect(screen.queryByLabelText('Event types')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Metric')).not.toBeInTheDocument();
  });

  it('hides the endpoint filter for agents', () => {
    setup({ refId: 'A', queryType: 'agents' });
    expect(screen.queryByLabelText('Endpoint')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Agent')).toBeInTheDocument();
  });

  it('updates the filters on typing and runs the query on blur', async () => {
    const { user, onChange, onRunQuery } = setup({ refId: 'A', queryType: 'status' });
    await user.type(screen.getByLabelText('Endpoint'), '$endpoint');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'status', endpoint: '$endpoint' });
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText('Agent'), 'eu-1,us-1');
    expect(onRunQuery).toHaveBeenCalledTimes(1); // leaving Endpoint
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'status',
      endpoint: '$endpoint',
      agent: 'eu-1,us-1',
    });
    await user.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('takes a limit in range on blur and refuses one out of range', async () => {
    const { user, onChange, onRunQuery } = setup({ refId: 'A', queryType: 'failures' });
    const limit = screen.getByLabelText('Limit');
    await user.type(limit, '20000');
    await user.tab();
    expect(screen.getByText('Limit must be a whole number from 1 to 10000, or empty for the default')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();

    await user.clear(limit);
    await user.type(limit, '250');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'failures', limit: 250 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByText(/Limit must be/)).not.toBeInTheDocument();

    await user.clear(screen.getByLabelText('Limit'));
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'failures' });
  });
});

describe('changeQueryType', () => {
  const cases: Array<{ name: string; from: QuorateQuery; to: QuorateQuery['queryType']; want: QuorateQuery }> = [
    {
      name: 'keeps a metric both types accept',
      from: { refId: 'A', queryType: 'current', metric: 'firing' },
      to: 'current',
      want: { refId: 'A', queryType: 'current', metric: 'firing' },
    },
    {
      name: 'results metric becomes the current default',
      from: { refId: 'A', queryType: 'results', metric: 'success' },
      to: 'current',
      want: { refId: 'A', queryType: 'current', metric: 'firing' },
    },
    {
      name: 'drops the metric for a type without one',
      from: { refId: 'A', queryType: 'results', metric: 'success', agent: 'a1' },
      to: 'status',
      want: { refId: 'A', queryType: 'status', agent: 'a1' },
    },
    {
      name: 'keeps the limit between failures and alerts, drops event types',
      from: { refId: 'A', queryType: 'alerts', limit: 50, eventTypes: ['FIRED'] },
      to: 'failures',
      want: { refId: 'A', queryType: 'failures', limit: 50 },
    },
    {
      name: 'drops per and limit for types that do not read them',
      from: { refId: 'A', queryType: 'uptime', per: 'agent', endpoint: 'g_n' },
      to: 'agents',
      want: { refId: 'A', queryType: 'agents', endpoint: 'g_n' },
    },
  ];
  it.each(cases)('$name', ({ from, to, want }) => {
    expect(changeQueryType(from, to!)).toEqual(want);
  });
});

describe('parseLimit', () => {
  it.each([
    ['', {}],
    [' 42 ', { limit: 42 }],
    ['1', { limit: 1 }],
    ['10000', { limit: 10000 }],
  ])('accepts %j', (text, want) => {
    expect(parseLimit(text)).toEqual(want);
  });
  it.each(['0', '-3', '10001', '2.5', 'abc'])('refuses %j with a message naming the field', (text) => {
    expect(parseLimit(text).error).toMatch(/^Limit must be/);
  });
});
