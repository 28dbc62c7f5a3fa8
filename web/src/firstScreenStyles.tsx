// Build time only (firstScreenCss.ts, a Vite plugin): antd's styles for the components of
// the task list's first screen, drawn once in Node and extracted into a CSS file that index.html
// links. In the browser, antd then finds each of these components' styles listed in that file
// and neither generates nor inserts them again (web/README.md, "Speed with 1,000 tasks").
import { createCache, extractStyle, StyleProvider } from '@ant-design/cssinjs';
import { enUSIntl, PageContainer, ProConfigProvider, ProLayout, ProTable } from '@ant-design/pro-components';
import { Alert, App, Button, ConfigProvider, Empty, Segmented, Skeleton, Space, Spin, Switch, Tag, Tooltip, Typography } from 'antd';
import antdEn from 'antd/locale/en_US';
import { renderToString } from 'react-dom/server';
import { LAYOUT_TOKEN, THEME } from './theme';

type Row = { key: string; name: string; kind: string; active: boolean };

/**
 * The components the list page draws before its first rows: the layout and its header, the page
 * header, the search form (inputs, selects), the table with a selection checkbox, tags and a
 * switch, its toolbar and the pagination with its size changer. A component left out is only
 * slower (its styles are generated in the browser as before), never drawn differently.
 */
function firstScreen() {
  return (
    <ProLayout
      layout="top"
      fixedHeader
      contentWidth="Fluid"
      title="Sundial"
      token={LAYOUT_TOKEN}
      route={{ path: '/', routes: [{ path: '/a', name: 'A' }] }}
      actionsRender={() => [
        <Space key="who" size={4}>
          <Tag color="geekblue">t</Tag>
          <Typography.Text ellipsis={{ tooltip: 's' }}>s</Typography.Text>
        </Space>,
        <Segmented key="lang" size="small" options={['a', 'b']} />,
        <Tooltip key="out" title="o">
          <Button type="text" size="small" />
        </Tooltip>,
      ]}
    >
      <PageContainer title="t" subTitle="s">
        <Alert type="info" showIcon message="m" />
        <ProTable<Row>
          rowKey="key"
          columns={[
            { title: 'k', dataIndex: 'keyword', hideInTable: true },
            { title: 'n', dataIndex: 'name', hideInSearch: true, fixed: 'left', width: 100 },
            { title: 'k', dataIndex: 'kind', valueType: 'select', valueEnum: { a: { text: 'a' } }, sorter: true, width: 100 },
            { title: 'a', dataIndex: 'active', valueType: 'select', render: () => <Switch size="small" />, width: 100 },
            { title: 'o', valueType: 'option', fixed: 'right', width: 100, render: () => <Tag color="success">s</Tag> },
          ]}
          dataSource={[{ key: '1', name: 'n', kind: 'a', active: true }]}
          search={{ labelWidth: 'auto' }}
          pagination={{ total: 100, showSizeChanger: true }}
          scroll={{ x: 600 }}
          size="middle"
          options={{ reload: true, density: true, setting: true }}
          rowSelection={{}}
          toolBarRender={() => [<Button key="b" type="primary">b</Button>]}
          locale={{ emptyText: <Empty /> }}
        />
        <Spin />
        <Skeleton />
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      </PageContainer>
    </ProLayout>
  );
}

/** The header while ProLayout loads its menu: a Skeleton in the header's theme. */
function loadingHeader() {
  return <ProLayout layout="top" fixedHeader title="Sundial" token={LAYOUT_TOKEN} menu={{ loading: true }} route={{ path: '/', routes: [] }} />;
}

/** The CSS of the first screen's antd and ProComponents styles, with antd's index of them. */
export function firstScreenStyles(): string {
  const cache = createCache();
  renderToString(
    <StyleProvider cache={cache}>
      <ConfigProvider locale={antdEn} theme={THEME}>
        <ProConfigProvider intl={enUSIntl}>
          <App>
            {firstScreen()}
            {loadingHeader()}
          </App>
        </ProConfigProvider>
      </ConfigProvider>
    </StyleProvider>,
  );
  return extractStyle(cache, { plain: true, types: 'style' });
}
