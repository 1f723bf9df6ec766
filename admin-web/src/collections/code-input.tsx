import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderText } from '@codemirror/view';
import { Input } from '@mantine/core';
import { useEffect, useRef } from 'react';

interface CodeInputProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Names offered while typing (fields, `@request.*`, macros…); none: no autocomplete. */
  completions?: string[];
  error?: string;
  placeholder?: string;
  /** One line: Enter calls this (unless it picks a completion) instead of breaking the line. */
  onSubmit?: () => void;
  /** A language mode and the like (JSON for the record editor's json fields). */
  extensions?: Extension[];
  description?: string;
  /** A visible label above the editor (the editor is named by `label` either way). */
  withLabel?: boolean;
  required?: boolean;
}

const theme = EditorView.theme({
  '&': {
    fontSize: '13px',
    border: '1px solid var(--mantine-color-default-border)',
    borderRadius: 'var(--mantine-radius-sm)',
    backgroundColor: 'var(--mantine-color-body)',
  },
  '&.cm-focused': { outline: 'none', borderColor: 'var(--mantine-primary-color-filled)' },
  '.cm-content': {
    fontFamily: 'var(--mantine-font-family-monospace)',
    padding: '6px 4px',
    caretColor: 'var(--mantine-color-text)',
  },
  '.cm-tooltip-autocomplete': { fontFamily: 'var(--mantine-font-family-monospace)' },
});

/** A CodeMirror 6 editor for rules and filters, with autocomplete of what they may name. */
export function CodeInput({
  label,
  value,
  onChange,
  completions,
  error,
  placeholder,
  onSubmit,
  extensions = [],
  description,
  withLabel = false,
  required,
}: CodeInputProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest callbacks and names, read by the editor without rebuilding it.
  const latest = useRef({ onChange, completions, onSubmit });
  latest.current = { onChange, completions, onSubmit };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is built once per mount; later values are pushed in by the effect below
  useEffect(() => {
    if (!host.current) return;
    const source = (context: CompletionContext): CompletionResult | null => {
      const word = context.matchBefore(/[@\w.:]+/);
      if (!word && !context.explicit) return null;
      return {
        from: word?.from ?? context.pos,
        options: (latest.current.completions ?? []).map((name) => ({
          label: name,
          type: name.startsWith('@') ? 'keyword' : 'property',
        })),
        validFor: /^[@\w.:]*$/,
      };
    };
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          keymap.of([
            {
              key: 'Enter',
              run: () => {
                if (!latest.current.onSubmit) return false;
                latest.current.onSubmit();
                return true;
              },
            },
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          ...(completions ? [autocompletion({ override: [source], activateOnTyping: true })] : []),
          ...extensions,
          ...(onSubmit ? [] : [EditorView.lineWrapping]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          placeholderText(placeholder ?? ''),
          theme,
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return (
    <Input.Wrapper
      error={error}
      description={description}
      label={withLabel ? label : undefined}
      labelElement="div"
      required={required}
    >
      <div ref={host} />
    </Input.Wrapper>
  );
}
