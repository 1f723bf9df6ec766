import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Drawer,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { LogModel } from 'pocketbase';
import { type FormEvent, useState } from 'react';
import { toShownError } from '../api-errors';
import { pb } from '../pb';
import { LogsChart } from './logs-chart';
import { hourBars, hourStart, logsFilter, nextHour, type Zoom } from './logs-filter';

const PER_PAGE = 50;
const and = (...parts: string[]) => parts.filter(Boolean).join(' && ');

function LogDetail({ log, onClose }: { log: LogModel | null; onClose: () => void }) {
  return (
    <Drawer opened={log !== null} onClose={onClose} position="right" size="lg" title="Request log">
      {log && (
        <Stack>
          <Table>
            <Table.Tbody>
              {[
                ['id', log.id],
                ['created', log.created],
                ['level', String(log.level)],
                ['message', log.message],
              ].map(([key, value]) => (
                <Table.Tr key={key}>
                  <Table.Th w={120}>{key}</Table.Th>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{value}</Table.Td>
                </Table.Tr>
              ))}
              {Object.entries(log.data ?? {}).map(([key, value]) => (
                <Table.Tr key={`data.${key}`}>
                  <Table.Th>data.{key}</Table.Th>
                  <Table.Td style={{ wordBreak: 'break-all' }}>
                    {typeof value === 'string' ? value : JSON.stringify(value)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Code block>{JSON.stringify(log, null, 2)}</Code>
        </Stack>
      )}
    </Drawer>
  );
}

/** PocketBase's Logs page: a filter bar, requests per hour (click to zoom), the list, a detail drawer. */
export function LogsPage() {
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState('');
  const [includeSuperusers, setIncludeSuperusers] = useState(false);
  const [zoom, setZoom] = useState<Zoom | null>(null);
  const [pages, setPages] = useState(1);
  const [open, setOpen] = useState<LogModel | null>(null);
  const base = logsFilter({ filter, includeSuperusers, zoom });

  const stats = useQuery({
    queryKey: ['logs-stats', base],
    queryFn: async () => {
      const [ok, failed] = await Promise.all([
        pb.logs.getStats({ filter: and(base, 'data.status < 400'), requestKey: null }),
        pb.logs.getStats({ filter: and(base, 'data.status >= 400'), requestKey: null }),
      ]);
      return hourBars(ok, failed);
    },
  });
  const list = useQuery({
    queryKey: ['logs', base, pages],
    queryFn: () => pb.logs.getList(1, PER_PAGE * pages, { filter: base, sort: '-@rowid', requestKey: null }),
  });
  const error = stats.error ?? list.error;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
    setPages(1);
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">
          Logs
        </Title>
        <Button variant="default" size="xs" onClick={() => void Promise.all([stats.refetch(), list.refetch()])}>
          Refresh
        </Button>
      </Group>
      <form onSubmit={apply}>
        <Group align="flex-end">
          <TextInput
            aria-label="Logs filter"
            placeholder="e.g. data.status >= 400 && data.method = 'POST'"
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button type="submit" variant="light">
            Apply
          </Button>
        </Group>
      </form>
      <Group>
        <Checkbox
          label="Include superuser requests"
          checked={includeSuperusers}
          onChange={(e) => setIncludeSuperusers(e.currentTarget.checked)}
        />
        {zoom && (
          <Button size="xs" variant="subtle" onClick={() => setZoom(null)}>
            Reset zoom ({zoom.from.slice(0, 13)}h)
          </Button>
        )}
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {toShownError(error).message}
        </Alert>
      )}
      <Paper withBorder p="sm">
        <LogsChart
          bars={stats.data ?? []}
          onZoom={(bar) => setZoom({ from: hourStart(bar.date), to: nextHour(bar.date) })}
        />
      </Paper>
      <Text size="sm" c="dimmed">
        {list.data ? `${list.data.totalItems} requests` : ''}
      </Text>
      <Table highlightOnHover striped aria-label="Request logs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Status</Table.Th>
            <Table.Th>Request</Table.Th>
            <Table.Th>Auth</Table.Th>
            <Table.Th>Time (ms)</Table.Th>
            <Table.Th>Created (UTC)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(list.data?.items ?? []).map((log) => {
            const status = Number(log.data?.status ?? 0);
            return (
              <Table.Tr key={log.id} onClick={() => setOpen(log)} style={{ cursor: 'pointer' }}>
                <Table.Td>
                  <Badge color={status >= 400 ? 'red' : 'green'} variant="light">
                    {status || log.level}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>
                  <button
                    type="button"
                    onClick={() => setOpen(log)}
                    style={{ all: 'unset', cursor: 'pointer' }}
                    aria-label={`Open log ${log.message}`}
                  >
                    {log.message}
                  </button>
                </Table.Td>
                <Table.Td>{String(log.data?.auth || 'guest')}</Table.Td>
                <Table.Td>{typeof log.data?.execTime === 'number' ? log.data.execTime.toFixed(1) : ''}</Table.Td>
                <Table.Td>{log.created}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {list.data && list.data.items.length < list.data.totalItems && (
        <Button variant="default" onClick={() => setPages((n) => n + 1)}>
          Load more
        </Button>
      )}
      <LogDetail log={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}
