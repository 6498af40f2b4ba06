import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { QuorateDataSourceOptions, QuorateQuery, QuorateSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, QuorateQuery, QuorateDataSourceOptions, QuorateSecureJsonData>(
  DataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
