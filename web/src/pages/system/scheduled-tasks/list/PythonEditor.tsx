import { Input } from 'antd';
import { lazy, Suspense } from 'react';

const PythonCodeMirror = lazy(() => import('./PythonCodeMirror'));

interface Props {
  value?: string;
  onChange?: (value: string) => void;
  /** Shown, highlighted, but not editable (the drawer's view of a task). */
  readOnly?: boolean;
}

/**
 * A Python editor with syntax highlighting, as one form control. The editor is fetched on
 * first use; until then a plain monospace text area holds the same value.
 */
export function PythonEditor({ value = '', onChange, readOnly }: Props) {
  const change = (next: string) => onChange?.(next);
  return (
    <div className="python-editor" style={{ border: '1px solid #d9d9d9', borderRadius: 6, overflow: 'hidden' }}>
      <Suspense
        fallback={
          <Input.TextArea className="mono" value={value} readOnly={readOnly} onChange={(e) => change(e.target.value)} autoSize={{ minRows: readOnly ? 2 : 8 }} variant="borderless" />
        }
      >
        <PythonCodeMirror value={value} onChange={change} readOnly={readOnly} />
      </Suspense>
    </div>
  );
}
