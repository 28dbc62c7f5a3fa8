import { describe, expect, it } from 'vitest';
import enUS from './en-US';
import { formatMessage, splitMessage } from './format';
import zhCN from './zh-CN';

describe('formatMessage', () => {
  it('fills known placeholders and leaves unknown ones visible', () => {
    expect(formatMessage('Deleted “{name}” ({n})', { name: 'x' })).toBe('Deleted “x” ({n})');
  });
});

describe('splitMessage', () => {
  it('cuts a template at its placeholders', () => {
    expect(splitMessage('Run {cmd} or {other}.')).toEqual(['Run ', { name: 'cmd' }, ' or ', { name: 'other' }, '.']);
    expect(splitMessage('{a}{b}')).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(splitMessage('plain')).toEqual(['plain']);
  });
});

describe('messages', () => {
  it('show commands as code, never as literal backticks', () => {
    for (const messages of [enUS, zhCN]) {
      const withBackticks = Object.entries(messages).filter(([, text]) => text.includes('`'));
      expect(withBackticks).toEqual([]);
    }
  });
});
