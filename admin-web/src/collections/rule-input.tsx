import { Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { CodeInput } from './code-input';

/**
 * One API rule. PocketBase's three states made explicit: `null` is "superusers only" (locked),
 * an empty rule lets everyone through, any other text is a filter every request must match.
 */
export function RuleInput({
  ruleKey,
  label,
  completions,
  value,
  error,
  onChange,
}: {
  ruleKey: string;
  label: string;
  completions: string[];
  value: string | null;
  error: string | undefined;
  onChange: (value: string | null) => void;
}) {
  // Custom stays chosen while its text is being cleared and retyped (an empty rule is public).
  const [custom, setCustom] = useState(value !== null && value.trim() !== '');
  const mode = value === null ? 'locked' : custom ? 'custom' : 'public';
  return (
    <Stack gap={4} data-testid={`rule-${ruleKey}`}>
      <Group justify="space-between">
        <Text fw={500} size="sm">
          {label}
        </Text>
        <SegmentedControl
          size="xs"
          aria-label={`${label} mode`}
          value={mode}
          onChange={(next) => {
            setCustom(next === 'custom');
            onChange(next === 'locked' ? null : next === 'public' ? '' : (value ?? ''));
          }}
          data={[
            { value: 'locked', label: 'Superusers only' },
            { value: 'public', label: 'Everyone' },
            { value: 'custom', label: 'Custom' },
          ]}
        />
      </Group>
      {mode === 'custom' && (
        <CodeInput
          label={label}
          value={value ?? ''}
          error={error}
          completions={completions}
          placeholder='e.g. @request.auth.id != "" && author = @request.auth.id'
          onChange={onChange}
        />
      )}
      {mode !== 'custom' && error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
      <Text size="xs" c="dimmed">
        {mode === 'locked' && 'Only superusers can perform this action (null rule).'}
        {mode === 'public' && 'Anyone can perform this action, signed in or not (empty rule).'}
        {mode === 'custom' &&
          'Requests must match this filter (left empty, it lets everyone through). @request.auth.*, @request.body.*, @collection.* and fields are available.'}
      </Text>
    </Stack>
  );
}
