import React, { ChangeEvent, useEffect, useState } from 'react';
import { QueryEditorProps } from '@grafana/data';
import {
  Combobox,
  ComboboxOption,
  InlineField,
  InlineFieldRow,
  Input,
  MultiCombobox,
  RadioButtonGroup,
} from '@grafana/ui';

import { DataSource } from '../datasource';
import {
  DEFAULT_LIMIT,
  DEFAULT_METRIC,
  DEFAULT_PER,
  DEFAULT_QUERY,
  EVENT_TYPES,
  EventType,
  MAX_LIMIT,
  METRICS_BY_TYPE,
  Metric,
  Per,
  QueryType,
  QuorateDataSourceOptions,
  QuorateQuery,
  usesEndpoint,
} from '../types';

type Props = QueryEditorProps<DataSource, QuorateQuery, QuorateDataSourceOptions>;

const QUERY_TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = [
  { value: 'status', label: 'Status', description: 'Latest result and quorum state per endpoint and agent (table)' },
  { value: 'current', label: 'Current', description: 'One number per series now, for alert rules and stat panels' },
  { value: 'results', label: 'Results', description: 'Duration or success over time, per endpoint and agent' },
  { value: 'failures', label: 'Failures', description: 'Failed results with their errors, newest first (table)' },
  { value: 'uptime', label: 'Uptime', description: 'Share of successful results over the time range' },
  { value: 'agents', label: 'Agents', description: 'Agents with last seen time and Healthy/Stale state (table)' },
  { value: 'alerts', label: 'Alert history', description: 'Alert events, newest first (table)' },
];

const METRIC_DESCRIPTIONS: Record<Metric, string> = {
  firing: '1 while the endpoint alert fires (per endpoint)',
  degraded: '1 while some but not enough agents see the endpoint down (per endpoint)',
  cannot_reach_quorum: '1 when fewer agents report than the quorum needs (per endpoint)',
  triggered_agents: 'Agents that currently see the endpoint down (per endpoint)',
  reporting_agents: 'Agents that currently report on the endpoint (per endpoint)',
  agent_success: 'Latest result of each agent, 1 or 0 (per endpoint and agent)',
  certificate_expiry_seconds: 'Seconds until the certificate expires (per endpoint and agent)',
  agent_stale: '1 while the agent is stale (per agent)',
  duration_ms: 'Probe duration in milliseconds',
  success: 'Probe success, 1 or 0',
};

const PER_OPTIONS: Array<{ value: Per; label: string; description: string }> = [
  { value: 'endpoint', label: 'Endpoint', description: 'One uptime per endpoint, all agents together' },
  { value: 'agent', label: 'Agent', description: 'One uptime per endpoint and agent' },
];

const EVENT_TYPE_OPTIONS: Array<ComboboxOption<EventType>> = EVENT_TYPES.map((t) => ({ value: t, label: t }));

const LABEL_WIDTH = 14;

function queryTypeOf(query: QuorateQuery): QueryType {
  return query.queryType ?? (DEFAULT_QUERY.queryType as QueryType);
}

/**
 * Returns the query switched to another type: a metric the new type does
 * not accept becomes that type's default, and options only the old type
 * used are dropped so the saved query holds what the backend reads.
 */
export function changeQueryType(query: QuorateQuery, next: QueryType): QuorateQuery {
  const { metric, per, eventTypes, limit, ...rest } = query;
  const out: QuorateQuery = { ...rest, queryType: next };
  const metrics = METRICS_BY_TYPE[next];
  if (metrics) {
    out.metric = metric && metrics.includes(metric) ? metric : DEFAULT_METRIC[next];
  }
  if (next === 'uptime' && per) {
    out.per = per;
  }
  if (next === 'alerts' && eventTypes?.length) {
    out.eventTypes = eventTypes;
  }
  if (DEFAULT_LIMIT[next] !== undefined && limit !== undefined) {
    out.limit = limit;
  }
  return out;
}

/** Parses the limit field: undefined for empty (backend default), an error message when out of range. */
export function parseLimit(text: string): { limit?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') {
    return {};
  }
  const n = Number(trimmed);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    return { error: `Limit must be a whole number from 1 to ${MAX_LIMIT}, or empty for the default` };
  }
  return { limit: n };
}

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  const queryType = queryTypeOf(query);
  const metrics = METRICS_BY_TYPE[queryType];
  const defaultLimit = DEFAULT_LIMIT[queryType];

  const [limitText, setLimitText] = useState(query.limit === undefined ? '' : String(query.limit));
  const [limitError, setLimitError] = useState<string | undefined>();
  // Follow outside changes of the limit (type switch, query history).
  useEffect(() => {
    setLimitText(query.limit === undefined ? '' : String(query.limit));
    setLimitError(undefined);
  }, [query.limit, queryType]);

  const update = (next: QuorateQuery, run: boolean) => {
    onChange(next);
    if (run) {
      onRunQuery();
    }
  };

  const onQueryTypeChange = (option: ComboboxOption<QueryType>) => {
    update(changeQueryType(query, option.value), true);
  };

  const onTextChange = (field: 'endpoint' | 'agent') => (e: ChangeEvent<HTMLInputElement>) => {
    update({ ...query, [field]: e.currentTarget.value }, false);
  };

  const onLimitBlur = () => {
    const { limit, error } = parseLimit(limitText);
    setLimitError(error);
    if (error || limit === query.limit) {
      return;
    }
    const next = { ...query };
    if (limit === undefined) {
      delete next.limit;
    } else {
      next.limit = limit;
    }
    update(next, true);
  };

  const metricValue = query.metric ?? DEFAULT_METRIC[queryType];
  const metricInvalid = metrics !== undefined && query.metric !== undefined && !metrics.includes(query.metric);

  return (
    <>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={LABEL_WIDTH} htmlFor="quorate-query-type">
          <Combobox<QueryType>
            id="quorate-query-type"
            width={24}
            options={QUERY_TYPE_OPTIONS}
            value={queryType}
            onChange={onQueryTypeChange}
          />
        </InlineField>
        {metrics && (
          <InlineField
            label="Metric"
            labelWidth={LABEL_WIDTH}
            htmlFor="quorate-metric"
            invalid={metricInvalid}
            error={metricInvalid ? `Metric "${query.metric}" is not valid for ${queryType}: choose one of the list` : undefined}
          >
            <Combobox<Metric>
              id="quorate-metric"
              width={32}
              options={metrics.map((m) => ({ value: m, label: m, description: METRIC_DESCRIPTIONS[m] }))}
              value={metricInvalid ? null : metricValue}
              onChange={(option) => update({ ...query, metric: option.value }, true)}
            />
          </InlineField>
        )}
        {queryType === 'uptime' && (
          <InlineField label="Per" labelWidth={LABEL_WIDTH} tooltip="Uptime per endpoint, or per endpoint and agent">
            <RadioButtonGroup<Per>
              aria-label="Per"
              options={PER_OPTIONS}
              value={query.per ?? DEFAULT_PER}
              onChange={(per) => update({ ...query, per }, true)}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        {usesEndpoint(queryType) && (
          <InlineField
            label="Endpoint"
            labelWidth={LABEL_WIDTH}
            htmlFor="quorate-endpoint"
            tooltip="Endpoint keys (<group>_<name>), comma-separated; empty or * for all. Dashboard variables work here."
          >
            <Input
              id="quorate-endpoint"
              width={32}
              placeholder="* (all)"
              value={query.endpoint ?? ''}
              onChange={onTextChange('endpoint')}
              onBlur={onRunQuery}
            />
          </InlineField>
        )}
        <InlineField
          label="Agent"
          labelWidth={LABEL_WIDTH}
          htmlFor="quorate-agent"
          tooltip="Agent ids, comma-separated; empty or * for all. Dashboard variables work here."
        >
          <Input
            id="quorate-agent"
            width={32}
            placeholder="* (all)"
            value={query.agent ?? ''}
            onChange={onTextChange('agent')}
            onBlur={onRunQuery}
          />
        </InlineField>
      </InlineFieldRow>
      {(queryType === 'alerts' || defaultLimit !== undefined) && (
        <InlineFieldRow>
          {queryType === 'alerts' && (
            <InlineField label="Event types" labelWidth={LABEL_WIDTH} htmlFor="quorate-event-types">
              <MultiCombobox<EventType>
                id="quorate-event-types"
                width="auto"
                minWidth={32}
                placeholder="All event types"
                options={EVENT_TYPE_OPTIONS}
                value={query.eventTypes ?? []}
                onChange={(options) => {
                  const next = { ...query };
                  const values = options.map((o) => o.value);
                  if (values.length === 0) {
                    delete next.eventTypes;
                  } else {
                    next.eventTypes = values;
                  }
                  update(next, true);
                }}
              />
            </InlineField>
          )}
          {defaultLimit !== undefined && (
            <InlineField
              label="Limit"
              labelWidth={LABEL_WIDTH}
              htmlFor="quorate-limit"
              tooltip={`Most recent rows, 1 to ${MAX_LIMIT}; empty for ${defaultLimit}`}
              invalid={limitError !== undefined}
              error={limitError}
            >
              <Input
                id="quorate-limit"
                type="number"
                width={16}
                min={1}
                max={MAX_LIMIT}
                placeholder={String(defaultLimit)}
                value={limitText}
                onChange={(e: ChangeEvent<HTMLInputElement>) => setLimitText(e.currentTarget.value)}
                onBlur={onLimitBlur}
              />
            </InlineField>
          )}
        </InlineFieldRow>
      )}
    </>
  );
}
