import { ActionIcon, Group, Input, Paper, Textarea } from '@mantine/core';
import { type Editor, EditorContent, useEditor, useEditorState } from '@tiptap/react';
import { StarterKit } from '@tiptap/starter-kit';
import { useState } from 'react';
import './rich-text-input.css';

interface RichTextInputProps {
  label: string;
  value: string;
  onChange: (html: string) => void;
  error?: string;
  description?: string;
  required?: boolean;
}

interface ToolSpec {
  name: string;
  text: string;
  active: (editor: Editor) => boolean;
  run: (editor: Editor) => void;
}

const TOOLS: ToolSpec[] = [
  {
    name: 'Bold',
    text: 'B',
    active: (e) => e.isActive('bold'),
    run: (e) => e.chain().focus().toggleBold().run(),
  },
  {
    name: 'Italic',
    text: 'I',
    active: (e) => e.isActive('italic'),
    run: (e) => e.chain().focus().toggleItalic().run(),
  },
  {
    name: 'Strikethrough',
    text: 'S',
    active: (e) => e.isActive('strike'),
    run: (e) => e.chain().focus().toggleStrike().run(),
  },
  {
    name: 'Heading',
    text: 'H',
    active: (e) => e.isActive('heading', { level: 2 }),
    run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(),
  },
  {
    name: 'Bullet list',
    text: '•',
    active: (e) => e.isActive('bulletList'),
    run: (e) => e.chain().focus().toggleBulletList().run(),
  },
  {
    name: 'Numbered list',
    text: '1.',
    active: (e) => e.isActive('orderedList'),
    run: (e) => e.chain().focus().toggleOrderedList().run(),
  },
  {
    name: 'Quote',
    text: '❝',
    active: (e) => e.isActive('blockquote'),
    run: (e) => e.chain().focus().toggleBlockquote().run(),
  },
  {
    name: 'Code block',
    text: '</>',
    active: (e) => e.isActive('codeBlock'),
    run: (e) => e.chain().focus().toggleCodeBlock().run(),
  },
];

function Toolbar({ editor, label }: { editor: Editor; label: string }) {
  // Re-renders on selection changes, so the pressed state follows the caret.
  const active = useEditorState({ editor, selector: ({ editor: e }) => TOOLS.map((tool) => tool.active(e)) });
  return (
    <Group gap={2} role="toolbar" aria-label={`${label} formatting`}>
      {TOOLS.map((tool, index) => (
        <ActionIcon
          key={tool.name}
          size="sm"
          variant={active[index] ? 'filled' : 'subtle'}
          aria-label={tool.name}
          aria-pressed={active[index]}
          onClick={() => tool.run(editor)}
        >
          {tool.text}
        </ActionIcon>
      ))}
    </Group>
  );
}

/** The Tiptap editor with its toolbar; built from `value` when mounted (the source view remounts it). */
function RichTextArea({ label, value, onChange }: Pick<RichTextInputProps, 'label' | 'value' | 'onChange'>) {
  const editor = useEditor({
    extensions: [StarterKit],
    content: value,
    editorProps: {
      attributes: { 'aria-label': label, role: 'textbox', 'aria-multiline': 'true', class: 'hb-rich-text' },
    },
    onUpdate: ({ editor: e }) => onChange(e.isEmpty ? '' : e.getHTML()),
  });
  return (
    <>
      {editor && <Toolbar editor={editor} label={label} />}
      <EditorContent editor={editor} />
    </>
  );
}

/**
 * The `editor` field's input: rich text (Tiptap) that stores HTML, with the HTML source editable
 * instead, as PocketBase's dashboard offers TinyMCE's source view.
 */
export function RichTextInput({ label, value, onChange, error, description, required }: RichTextInputProps) {
  const [source, setSource] = useState(false);
  return (
    <Input.Wrapper label={label} labelElement="div" description={description} error={error} required={required}>
      <Paper withBorder p={4} mt={4} pos="relative">
        <ActionIcon
          size="sm"
          pos="absolute"
          top={4}
          right={4}
          variant={source ? 'filled' : 'subtle'}
          aria-label={`${label} HTML source`}
          aria-pressed={source}
          onClick={() => setSource(!source)}
        >
          {'<>'}
        </ActionIcon>
        {source ? (
          <Textarea
            mt={30}
            aria-label={`${label} HTML`}
            autosize
            minRows={4}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            value={value}
            onChange={(e) => onChange(e.currentTarget.value)}
          />
        ) : (
          <RichTextArea label={label} value={value} onChange={onChange} />
        )}
      </Paper>
    </Input.Wrapper>
  );
}
