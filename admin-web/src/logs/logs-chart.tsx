import { Group, Text, UnstyledButton } from '@mantine/core';
import type { HourBar } from './logs-filter';

const HEIGHT = 120;

/**
 * Requests per hour as stacked bars (failed on top of succeeded), in plain SVG. A click on an
 * hour zooms the page to it.
 */
export function LogsChart({ bars, onZoom }: { bars: HourBar[]; onZoom: (bar: HourBar) => void }) {
  if (bars.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No requests in this range.
      </Text>
    );
  }
  const max = Math.max(...bars.map((bar) => bar.ok + bar.failed), 1);
  return (
    <div>
      <Group
        gap={2}
        align="flex-end"
        h={HEIGHT}
        wrap="nowrap"
        style={{ overflowX: 'auto' }}
        aria-label="Requests per hour"
      >
        {bars.map((bar) => {
          const total = bar.ok + bar.failed;
          const label = `${bar.date} UTC: ${total} requests, ${bar.failed} failed`;
          return (
            <UnstyledButton
              key={bar.date}
              onClick={() => onZoom(bar)}
              aria-label={label}
              title={label}
              style={{
                display: 'flex',
                flexDirection: 'column',
                justifyContent: 'flex-end',
                height: HEIGHT,
                minWidth: 10,
                flex: 1,
              }}
            >
              <div style={{ height: (bar.failed / max) * HEIGHT, background: 'var(--mantine-color-red-6)' }} />
              <div style={{ height: (bar.ok / max) * HEIGHT, background: 'var(--mantine-color-blue-5)' }} />
            </UnstyledButton>
          );
        })}
      </Group>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {bars[0]?.date}
        </Text>
        <Text size="xs" c="dimmed">
          {bars[bars.length - 1]?.date} (UTC; blue succeeded, red failed)
        </Text>
      </Group>
    </div>
  );
}
