import { ColumnHeightOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons';
import { Button, Checkbox, Dropdown, Popover, Space } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../../../../locales/context';
import { HoverTip } from '../../../../components/HoverTip';

/** The table's row height: antd's sizes. */
export type Density = 'large' | 'middle' | 'small';

const DENSITIES: Density[] = ['large', 'middle', 'small'];

interface Props {
  /** The filters, at the toolbar's start. */
  start: ReactNode;
  /** The page's own buttons (New task), before the table's. */
  actions: ReactNode;
  onReload: () => void;
  loading: boolean;
  density: Density;
  onDensity: (density: Density) => void;
  /** Every column that can be hidden, by key, with its title. */
  columns: { key: string; title: ReactNode }[];
  hidden: string[];
  onHidden: (hidden: string[]) => void;
}

/** The list's toolbar: filters, then New task, reload, row height and the columns shown. */
export function ListToolbar({ start, actions, onReload, loading, density, onDensity, columns, hidden, onHidden }: Props) {
  const t = useT();
  const shown = columns.map((column) => column.key).filter((key) => !hidden.includes(key));
  return (
    <div className="list-toolbar">
      <div className="list-toolbar-start">{start}</div>
      <Space size={8} wrap>
        {actions}
        <HoverTip title={t('common.refresh')}>
          <Button type="text" icon={<ReloadOutlined spin={loading} />} onClick={onReload} aria-label={t('common.refresh')} data-testid="list-reload" />
        </HoverTip>
        <Dropdown
          trigger={['click']}
          menu={{
            selectable: true,
            selectedKeys: [density],
            items: DENSITIES.map((key) => ({ key, label: t(`tasks.density.${key}`) })),
            onClick: ({ key }) => onDensity(key as Density),
          }}
        >
          <Button type="text" icon={<ColumnHeightOutlined />} aria-label={t('tasks.density')} data-testid="list-density" />
        </Dropdown>
        <Popover
          trigger="click"
          placement="bottomRight"
          content={
            <Checkbox.Group
              value={shown}
              onChange={(keys) => onHidden(columns.map((column) => column.key).filter((key) => !keys.includes(key)))}
              style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
              options={columns.map((column) => ({ value: column.key, label: column.title }))}
              data-testid="list-columns"
            />
          }
        >
          <Button type="text" icon={<SettingOutlined />} aria-label={t('tasks.columns')} data-testid="list-column-settings" />
        </Popover>
      </Space>
    </div>
  );
}
