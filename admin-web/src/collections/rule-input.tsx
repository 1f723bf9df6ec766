import { Group, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';

/**
 * One API rule. PocketBase's three states made explicit: `null` is "superusers only" (locked),
 * an empty rule lets everyone through, any other text is a filter every request must match.
 */
export function RuleInput({
  ruleKey,
  label,
  value,
  error,
  onChange,
}: {
  ruleKey: string;
  label: string;
  value: string | null;
  error: string | undefined;
  onChange: (value: string | null) => void;
}) {
  const mode = value === null ? 'locked' : value.trim() === '' ? 'public' : 'custom';
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
          onChange={(next) => onChange(next === 'locked' ? null : next === 'public' ? '' : value || 'id != ""')}
          data={[
            { value: 'locked', label: 'Superusers only' },
            { value: 'public', label: 'Everyone' },
            { value: 'custom', label: 'Custom' },
          ]}
        />
      </Group>
      {mode === 'custom' && (
        <Textarea
          aria-label={label}
          autosize
          minRows={1}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={value ?? ''}
          error={error}
          placeholder='e.g. @request.auth.id != "" && author = @request.auth.id'
          onChange={(event) => onChange(event.currentTarget.value)}
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
          'Requests must match this filter. @request.auth.*, @request.body.*, @collection.* and fields are available.'}
      </Text>
    </Stack>
  );
}
