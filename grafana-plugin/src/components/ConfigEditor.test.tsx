import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DataSourcePluginOptionsEditorProps, DataSourceSettings } from '@grafana/data';

import { QuorateDataSourceOptions, QuorateSecureJsonData } from '../types';
import { ConfigEditor, validateSettings } from './ConfigEditor';

type Settings = DataSourceSettings<QuorateDataSourceOptions, QuorateSecureJsonData>;
// Grafana's validation API for config editors; its interface is not exported by name.
type DataSourceConfigValidationAPI = NonNullable<DataSourcePluginOptionsEditorProps['validation']>;
type Validator = Parameters<DataSourceConfigValidationAPI['registerValidation']>[0];

function settings(
  jsonData: QuorateDataSourceOptions,
  more: Partial<Pick<Settings, 'secureJsonFields' | 'secureJsonData'>> = {}
): Settings {
  return {
    id: 1,
    uid: 'quorate',
    orgId: 1,
    name: 'Quorate',
    type: 'quorate-datasource',
    typeName: 'Quorate',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    readOnly: false,
    withCredentials: false,
    jsonData,
    secureJsonFields: {},
    ...more,
  };
}

/** A stand-in for Grafana's validation API that keeps the validators the editor registers. */
function fakeValidation() {
  const validators: Validator[] = [];
  const api: DataSourceConfigValidationAPI = {
    registerValidation: (v: Validator) => {
      validators.push(v);
      return () => validators.splice(validators.indexOf(v), 1);
    },
    validate: async () => (await Promise.all(validators.map((v) => v()))).every(Boolean),
    isValid: () => true,
    getErrors: () => ({}),
    setError: () => {},
    clearError: () => {},
  };
  return { api, validators };
}

function setup(initial: Settings, validation?: DataSourceConfigValidationAPI) {
  const onOptionsChange = jest.fn();
  const utils = render(<ConfigEditor options={initial} onOptionsChange={onOptionsChange} validation={validation} />);
  // Controlled like in Grafana: every change comes back as new options.
  onOptionsChange.mockImplementation((next: Settings) =>
    utils.rerender(<ConfigEditor options={next} onOptionsChange={onOptionsChange} validation={validation} />)
  );
  const last = (): Settings => onOptionsChange.mock.calls[onOptionsChange.mock.calls.length - 1][0];
  return { ...utils, onOptionsChange, last, user: userEvent.setup() };
}

const driverRadio = (name: 'PostgreSQL' | 'SQLite') =>
  within(screen.getByRole('radiogroup', { name: 'Driver' })).getByRole('radio', { name });

describe('ConfigEditor', () => {
  it('asks for a driver first and shows no store fields', () => {
    setup(settings({}));
    expect(driverRadio('PostgreSQL')).not.toBeChecked();
    expect(driverRadio('SQLite')).not.toBeChecked();
    expect(screen.queryByLabelText('Host')).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^Path/)).not.toBeInTheDocument();
    // Nothing shouts at an untouched form.
    expect(screen.queryByText(/is required/)).not.toBeInTheDocument();
  });

  it('shows the PostgreSQL fields once postgres is chosen', async () => {
    const { user, last } = setup(settings({}));
    await user.click(driverRadio('PostgreSQL'));
    expect(last().jsonData).toEqual({ driver: 'postgres' });
    for (const label of [/^Host/, /^Database/, /^User/, /^Password/, /^SSL mode/, /^Schema/, /^Max open connections/]) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    expect(screen.getByLabelText(/^SSL mode/)).toHaveValue('require');
    expect(screen.getByLabelText(/^Host/)).toHaveAttribute('placeholder', '127.0.0.1:5432');
    expect(screen.queryByLabelText(/^Path/)).not.toBeInTheDocument();
  });

  it('writes the PostgreSQL settings to jsonData', async () => {
    const { user, last } = setup(settings({ driver: 'postgres' }));
    await user.type(screen.getByLabelText(/^Host/), 'db.internal:6432');
    await user.type(screen.getByLabelText(/^Database/), 'quorate');
    await user.type(screen.getByLabelText(/^User/), 'grafana');
    await user.type(screen.getByLabelText(/^Schema/), 'monitoring');
    await user.type(screen.getByLabelText(/^Max open connections/), '8');
    await user.click(screen.getByLabelText(/^SSL mode/));
    await user.click(await screen.findByRole('option', { name: /^verify-full/ }));
    expect(last().jsonData).toEqual({
      driver: 'postgres',
      host: 'db.internal:6432',
      database: 'quorate',
      user: 'grafana',
      schema: 'monitoring',
      maxOpenConns: 8,
      sslMode: 'verify-full',
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows only the path for SQLite', async () => {
    const { user, last } = setup(settings({ driver: 'postgres', host: 'db:5432' }));
    await user.click(driverRadio('SQLite'));
    expect(last().jsonData.driver).toBe('sqlite');
    expect(screen.getByLabelText(/^Path/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Max open connections/)).toBeInTheDocument();
    for (const label of [/^Host/, /^Database/, /^User/, /^Password/, /^SSL mode/, /^Schema/]) {
      expect(screen.queryByLabelText(label)).not.toBeInTheDocument();
    }
    await user.type(screen.getByLabelText(/^Path/), '/var/lib/quorate/q.db');
    expect(last().jsonData.path).toBe('/var/lib/quorate/q.db');
  });

  it('puts the password in secureJsonData only', async () => {
    const { user, last } = setup(settings({ driver: 'postgres', user: 'grafana' }));
    await user.type(screen.getByLabelText(/^Password/), 's3cret!');
    expect(last().secureJsonData).toEqual({ password: 's3cret!' });
    expect(JSON.stringify(last().jsonData)).not.toContain('s3cret');
    expect(last().jsonData).toEqual({ driver: 'postgres', user: 'grafana' });
  });

  it('never shows a configured password and resets it on request', async () => {
    const { user, last } = setup(settings({ driver: 'postgres' }, { secureJsonFields: { password: true } }));
    const password = screen.getByLabelText(/^Password/);
    expect(password).toHaveValue('configured');
    expect(password).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonFields).toEqual({ password: false });
    expect(last().secureJsonData).toEqual({ password: '' });
    expect(screen.getByLabelText(/^Password/)).toHaveValue('');
    expect(screen.getByLabelText(/^Password/)).toBeEnabled();

    await user.type(screen.getByLabelText(/^Password/), 'new');
    expect(last().secureJsonData).toEqual({ password: 'new' });
    expect(last().secureJsonFields).toEqual({ password: false });
  });

  it('names the field of a malformed value at once', () => {
    setup(settings({ driver: 'postgres', host: 'db.internal', database: 'q', user: 'u', maxOpenConns: 0 }));
    expect(screen.getByText('Host must be host:port, for example 127.0.0.1:5432')).toBeInTheDocument();
    expect(screen.getByText('Max open connections must be a whole number of at least 1')).toBeInTheDocument();
  });

  it('names a missing required field once the user leaves it', async () => {
    const { user } = setup(settings({ driver: 'postgres' }));
    expect(screen.queryByText('Database is required for PostgreSQL')).not.toBeInTheDocument();
    await user.click(screen.getByLabelText(/^Database/));
    await user.tab();
    expect(screen.getByText('Database is required for PostgreSQL')).toBeInTheDocument();
    expect(screen.queryByText('User is required for PostgreSQL')).not.toBeInTheDocument();
  });

  it('refuses a relative SQLite path', () => {
    setup(settings({ driver: 'sqlite', path: 'data/q.db' }));
    expect(screen.getByText(/^Path must be absolute/)).toBeInTheDocument();
  });

  it('blocks saving through Grafana validation and then shows every message', async () => {
    const { api, validators } = fakeValidation();
    setup(settings({ driver: 'sqlite' }), api);
    expect(validators).toHaveLength(1);
    expect(screen.queryByText(/^Path is required/)).not.toBeInTheDocument();
    let ok = true;
    await React.act(async () => {
      ok = await api.validate();
    });
    expect(ok).toBe(false);
    expect(screen.getByText('Path is required for SQLite: the database file the central writes')).toBeInTheDocument();
  });

  it('lets valid settings through Grafana validation', async () => {
    const { api } = fakeValidation();
    setup(settings({ driver: 'sqlite', path: '/var/lib/quorate/q.db' }), api);
    let ok = false;
    await React.act(async () => {
      ok = await api.validate();
    });
    expect(ok).toBe(true);
  });
});

describe('validateSettings', () => {
  const cases: Array<[string, QuorateDataSourceOptions, Record<string, RegExp>]> = [
    ['no driver', {}, { driver: /^Driver is required/ }],
    ['unknown driver', { driver: 'mysql' as never }, { driver: /^Driver "mysql" is not supported/ }],
    ['postgres minimal', { driver: 'postgres', database: 'q', user: 'u' }, {}],
    ['postgres missing database and user', { driver: 'postgres' }, { database: /^Database/, user: /^User/ }],
    ['postgres ipv6 host', { driver: 'postgres', database: 'q', user: 'u', host: '[::1]:5432' }, {}],
    ['postgres port out of range', { driver: 'postgres', database: 'q', user: 'u', host: 'db:70000' }, { host: /^Host/ }],
    ['postgres bad ssl mode', { driver: 'postgres', database: 'q', user: 'u', sslMode: 'prefer' as never }, { sslMode: /^SSL mode must be one of disable, require, verify-ca, verify-full$/ }],
    ['sqlite absolute', { driver: 'sqlite', path: '/data/q.db' }, {}],
    ['sqlite missing path', { driver: 'sqlite' }, { path: /^Path is required/ }],
    ['pool of 2.5', { driver: 'sqlite', path: '/q.db', maxOpenConns: 2.5 }, { maxOpenConns: /^Max open connections/ }],
    ['postgres fields ignored for sqlite', { driver: 'sqlite', path: '/q.db', host: 'nonsense' }, {}],
  ];
  it.each(cases)('%s', (_, jsonData, want) => {
    const got = validateSettings(jsonData);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [field, re] of Object.entries(want)) {
      expect(got[field as keyof typeof got]).toMatch(re);
    }
  });
});
