import React, { ChangeEvent, useEffect, useRef, useState } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, Field, FieldSet, Input, RadioButtonGroup, SecretInput } from '@grafana/ui';

import {
  DEFAULT_HOST,
  DEFAULT_MAX_OPEN_CONNS,
  DEFAULT_SSL_MODE,
  DRIVERS,
  Driver,
  QuorateDataSourceOptions,
  QuorateSecureJsonData,
  SSL_MODES,
  SSLMode,
} from '../types';

type Props = DataSourcePluginOptionsEditorProps<QuorateDataSourceOptions, QuorateSecureJsonData>;

/** The settings the editor checks; the keys are the jsonData keys of the README. */
export type SettingsField = 'driver' | 'host' | 'database' | 'user' | 'sslMode' | 'path' | 'maxOpenConns';
export type SettingsErrors = Partial<Record<SettingsField, string>>;

/** Fields whose only error is being empty: shown once the user left the field or tried to save. */
const REQUIRED_ONLY: ReadonlySet<string> = new Set(['driver', 'database', 'user', 'pathMissing']);

const DRIVER_OPTIONS: Array<{ value: Driver; label: string; description: string }> = [
  { value: 'postgres', label: 'PostgreSQL', description: 'The central stores in PostgreSQL' },
  { value: 'sqlite', label: 'SQLite', description: 'The central stores in a SQLite file on this host' },
];

const SSL_MODE_OPTIONS: Array<ComboboxOption<SSLMode>> = [
  { value: 'disable', label: 'disable', description: 'No TLS' },
  { value: 'require', label: 'require', description: 'TLS, server certificate not verified' },
  { value: 'verify-ca', label: 'verify-ca', description: 'TLS, certificate signed by a trusted CA' },
  { value: 'verify-full', label: 'verify-full', description: 'TLS, trusted CA and host name matches' },
];

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

interface CheckedError {
  message: string;
  /** Key into REQUIRED_ONLY for errors that only say a value is missing. */
  kind: string;
}

function check(jsonData: QuorateDataSourceOptions): Partial<Record<SettingsField, CheckedError>> {
  const errs: Partial<Record<SettingsField, CheckedError>> = {};
  const driver = jsonData.driver;
  if (!driver) {
    errs.driver = { kind: 'driver', message: 'Driver is required: choose PostgreSQL or SQLite' };
  } else if (!(DRIVERS as readonly string[]).includes(driver)) {
    errs.driver = { kind: 'driverValue', message: `Driver "${driver}" is not supported: choose PostgreSQL or SQLite` };
  }
  if (driver === 'postgres') {
    const host = jsonData.host?.trim() ?? '';
    if (host !== '') {
      const m = HOST_PORT.exec(host);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
        errs.host = { kind: 'host', message: `Host must be host:port, for example ${DEFAULT_HOST}` };
      }
    }
    if (!jsonData.database?.trim()) {
      errs.database = { kind: 'database', message: 'Database is required for PostgreSQL' };
    }
    if (!jsonData.user?.trim()) {
      errs.user = { kind: 'user', message: 'User is required for PostgreSQL' };
    }
    if (jsonData.sslMode !== undefined && !(SSL_MODES as readonly string[]).includes(jsonData.sslMode)) {
      errs.sslMode = { kind: 'sslMode', message: `SSL mode must be one of ${SSL_MODES.join(', ')}` };
    }
  }
  if (driver === 'sqlite') {
    const p = jsonData.path?.trim() ?? '';
    if (p === '') {
      errs.path = { kind: 'pathMissing', message: 'Path is required for SQLite: the database file the central writes' };
    } else if (!isAbsolutePath(p)) {
      errs.path = {
        kind: 'pathRelative',
        message: 'Path must be absolute: Grafana resolves a relative path against its own working directory',
      };
    }
  }
  const conns = jsonData.maxOpenConns;
  if (conns !== undefined && (!Number.isInteger(conns) || conns < 1)) {
    errs.maxOpenConns = { kind: 'maxOpenConns', message: 'Max open connections must be a whole number of at least 1' };
  }
  return errs;
}

/** Every problem with the settings, by field, with a message that names the field and the fix. */
export function validateSettings(jsonData: QuorateDataSourceOptions): SettingsErrors {
  const out: SettingsErrors = {};
  for (const [field, err] of Object.entries(check(jsonData))) {
    out[field as SettingsField] = err.message;
  }
  return out;
}

export function ConfigEditor({ options, onOptionsChange, validation }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = (options.secureJsonData ?? {}) as QuorateSecureJsonData;

  const [touched, setTouched] = useState<Partial<Record<SettingsField, boolean>>>({});
  const [showAll, setShowAll] = useState(false);
  const touch = (field: SettingsField) => () => setTouched((t) => ({ ...t, [field]: true }));

  // Grafana 12 asks registered validators before it saves; older versions
  // have no validation API and the backend health check reports instead.
  const jsonDataRef = useRef(jsonData);
  jsonDataRef.current = jsonData;
  useEffect(() => {
    if (!validation) {
      return;
    }
    return validation.registerValidation(() => {
      setShowAll(true);
      return Object.keys(check(jsonDataRef.current)).length === 0;
    });
  }, [validation]);

  const checked = check(jsonData);
  const errorFor = (field: SettingsField): string | undefined => {
    const err = checked[field];
    if (!err) {
      return undefined;
    }
    if (REQUIRED_ONLY.has(err.kind) && !showAll && !touched[field]) {
      return undefined;
    }
    return err.message;
  };

  const setJsonData = (patch: Partial<QuorateDataSourceOptions>) => {
    const next: QuorateDataSourceOptions = { ...jsonData, ...patch };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) {
        delete next[k as keyof QuorateDataSourceOptions];
      }
    }
    onOptionsChange({ ...options, jsonData: next });
  };

  const onText = (key: 'host' | 'database' | 'user' | 'schema' | 'path') => (e: ChangeEvent<HTMLInputElement>) =>
    setJsonData({ [key]: e.currentTarget.value });

  const onMaxOpenConns = (e: ChangeEvent<HTMLInputElement>) => {
    const text = e.currentTarget.value.trim();
    setJsonData({ maxOpenConns: text === '' ? undefined : Number(text) });
  };

  const onPasswordChange = (e: ChangeEvent<HTMLInputElement>) => {
    onOptionsChange({
      ...options,
      secureJsonData: { ...secureJsonData, password: e.currentTarget.value },
    });
  };

  // Reset forgets the stored password: Grafana deletes it on save because
  // secureJsonFields.password is false and the new value is empty.
  const onPasswordReset = () => {
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, password: false },
      secureJsonData: { ...secureJsonData, password: '' },
    });
  };

  const driver = jsonData.driver;
  const field = (name: SettingsField) => ({ invalid: errorFor(name) !== undefined, error: errorFor(name) });

  return (
    <>
      <FieldSet label="Store">
        <Field
          label="Driver"
          description="The database the Quorate central writes; the plugin only reads it"
          required
          {...field('driver')}
        >
          <RadioButtonGroup<Driver>
            id="quorate-driver"
            aria-label="Driver"
            options={DRIVER_OPTIONS}
            value={driver}
            onChange={(d) => {
              setTouched((t) => ({ ...t, driver: true }));
              setJsonData({ driver: d });
            }}
          />
        </Field>
      </FieldSet>

      {driver === 'postgres' && (
        <FieldSet label="PostgreSQL">
          <Field label="Host" description={`host:port, default ${DEFAULT_HOST}`} {...field('host')}>
            <Input
              id="quorate-host"
              width={40}
              placeholder={DEFAULT_HOST}
              value={jsonData.host ?? ''}
              onChange={onText('host')}
              onBlur={touch('host')}
            />
          </Field>
          <Field label="Database" required {...field('database')}>
            <Input
              id="quorate-database"
              width={40}
              placeholder="quorate"
              value={jsonData.database ?? ''}
              onChange={onText('database')}
              onBlur={touch('database')}
            />
          </Field>
          <Field label="User" description="A user that may read Quorate's tables" required {...field('user')}>
            <Input
              id="quorate-user"
              width={40}
              placeholder="grafana"
              value={jsonData.user ?? ''}
              onChange={onText('user')}
              onBlur={touch('user')}
            />
          </Field>
          <Field label="Password" description="Stored encrypted by Grafana; never shown again">
            <SecretInput
              id="quorate-password"
              width={40}
              placeholder="password"
              isConfigured={Boolean(secureJsonFields?.password)}
              value={secureJsonData.password ?? ''}
              onChange={onPasswordChange}
              onReset={onPasswordReset}
            />
          </Field>
          <Field label="SSL mode" description={`PostgreSQL sslmode, default ${DEFAULT_SSL_MODE}`} {...field('sslMode')}>
            <Combobox<SSLMode>
              id="quorate-ssl-mode"
              width={40}
              options={SSL_MODE_OPTIONS}
              value={
                jsonData.sslMode && (SSL_MODES as readonly string[]).includes(jsonData.sslMode)
                  ? jsonData.sslMode
                  : DEFAULT_SSL_MODE
              }
              onChange={(o) => setJsonData({ sslMode: o.value })}
            />
          </Field>
          <Field label="Schema" description="Schema holding Quorate's tables; empty for the user's search_path">
            <Input
              id="quorate-schema"
              width={40}
              placeholder="search_path"
              value={jsonData.schema ?? ''}
              onChange={onText('schema')}
            />
          </Field>
        </FieldSet>
      )}

      {driver === 'sqlite' && (
        <FieldSet label="SQLite">
          <Field
            label="Path"
            description="Absolute path of the database file the central writes; opened read-only"
            required
            {...field('path')}
          >
            <Input
              id="quorate-path"
              width={60}
              placeholder="/var/lib/quorate/quorate.db"
              value={jsonData.path ?? ''}
              onChange={onText('path')}
              onBlur={touch('path')}
            />
          </Field>
        </FieldSet>
      )}

      {driver !== undefined && (
        <FieldSet label="Connections">
          <Field
            label="Max open connections"
            description={`Connection pool size, default ${DEFAULT_MAX_OPEN_CONNS}`}
            {...field('maxOpenConns')}
          >
            <Input
              id="quorate-max-open-conns"
              type="number"
              width={16}
              min={1}
              placeholder={String(DEFAULT_MAX_OPEN_CONNS)}
              value={jsonData.maxOpenConns ?? ''}
              onChange={onMaxOpenConns}
            />
          </Field>
        </FieldSet>
      )}
    </>
  );
}
