import { python } from '@codemirror/lang-python';
import CodeMirror from '@uiw/react-codemirror';

interface Props {
  value: string;
  onChange: (value: string) => void;
}

// Loaded lazily by PythonEditor: CodeMirror is only needed for Python tasks.
export default function PythonCodeMirror({ value, onChange }: Props) {
  return (
    <CodeMirror
      value={value}
      onChange={onChange}
      extensions={[python()]}
      minHeight="180px"
      maxHeight="420px"
      basicSetup={{ lineNumbers: true, foldGutter: false, highlightActiveLine: true }}
      data-testid="python-editor"
    />
  );
}
