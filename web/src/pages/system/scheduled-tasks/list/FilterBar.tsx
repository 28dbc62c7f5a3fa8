import { SearchOutlined } from '@ant-design/icons';
import { Button, Input, Select } from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useT } from '../../../../locales/context';
import { OUTCOME_FILTERS } from './runStatus';
import { ACTIVE, type ListFilters, TASK_TYPES, TRIGGER_TYPES } from './urlState';

/** How long typing in the keyword pauses before the list is asked again. */
const KEYWORD_DEBOUNCE_MS = 400;

/** One filter: its label for the tests and screen readers, its control. */
function Filter({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="list-filter" data-label={label}>
      {children}
    </div>
  );
}

/**
 * The list's filters in one compact bar above the table: the keyword first (searched on Enter
 * or after a pause in typing), then type, trigger type, last status and state, each applied
 * when chosen. Lighter than ProTable's query form (web/README.md, "Speed with 1,000 tasks").
 */
export function FilterBar({ filters, onChange }: { filters: ListFilters; onChange: (filters: ListFilters) => void }) {
  const t = useT();
  const [keyword, setKeyword] = useState(filters.keyword ?? '');
  // A Reset (or the empty list's "clear") empties the field too.
  const [shownKeyword, setShownKeyword] = useState(filters.keyword);
  if (shownKeyword !== filters.keyword) {
    setShownKeyword(filters.keyword);
    setKeyword(filters.keyword ?? '');
  }
  const applyKeyword = useCallback(
    (text: string) => {
      const next = text.trim() || undefined;
      if (next !== filters.keyword) onChange({ ...filters, keyword: next });
    },
    [filters, onChange],
  );
  useEffect(() => {
    const timer = window.setTimeout(() => applyKeyword(keyword), KEYWORD_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [keyword, applyKeyword]);
  const choices: { key: Exclude<keyof ListFilters, 'keyword'>; label: string; options: { value: string; label: string }[] }[] = [
    { key: 'type', label: t('tasks.col.type'), options: TASK_TYPES.map((v) => ({ value: v, label: t(`type.${v}`) })) },
    { key: 'trigger_type', label: t('tasks.col.triggerType'), options: TRIGGER_TYPES.map((v) => ({ value: v, label: t(`trigger.${v}`) })) },
    { key: 'last_run_outcome', label: t('tasks.col.lastStatus'), options: OUTCOME_FILTERS.map((v) => ({ value: v, label: t(`status.${v}`) })) },
    { key: 'is_active', label: t('tasks.col.active'), options: ACTIVE.map((v) => ({ value: v, label: t(`tasks.active.${v}`) })) },
  ];
  return (
    <div className="list-filters" data-testid="list-filters">
      <Filter label={t('tasks.col.keyword')}>
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={`${t('tasks.col.keyword')}: ${t('tasks.col.keyword.placeholder')}`}
          aria-label={t('tasks.col.keyword')}
          value={keyword}
          onChange={(event) => setKeyword(event.target.value)}
          onPressEnter={() => applyKeyword(keyword)}
        />
      </Filter>
      {choices.map(({ key, label, options }) => (
        <Filter key={key} label={label}>
          <Select<string>
            allowClear
            prefix={`${label}:`}
            placeholder={t('tasks.filter.all')}
            aria-label={label}
            value={filters[key]}
            // The options are the filter's own values, so the value is one of them.
            onChange={(value) => onChange({ ...filters, [key]: value } as ListFilters)}
            options={options}
            popupMatchSelectWidth={false}
          />
        </Filter>
      ))}
      <Button onClick={() => onChange({})} data-testid="filters-reset">
        {t('tasks.filter.reset')}
      </Button>
    </div>
  );
}
