import { python } from '@codemirror/lang-python';
import CodeMirror from '@uiw/react-codemirror';

interface Props {
  value: string;
  onChange: (value: string) => void;
  readOnly?: boolean;
}

// Loaded lazily by PythonEditor: CodeMirror is only needed for Python tasks.
export default function PythonCodeMirror({ value, onChange, readOnly = false }: Props) {
  return (
    <CodeMirror
      value={value}
      onChange={onChange}
      editable={!readOnly}
      readOnly={readOnly}
      extensions={[python()]}
      minHeight={readOnly ? undefined : '180px'}
      maxHeight="420px"
      basicSetup={{ lineNumbers: true, foldGutter: false, highlightActiveLine: !readOnly }}
      data-testid="python-editor"
    />
  );
}
