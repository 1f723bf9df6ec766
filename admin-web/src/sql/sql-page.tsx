import {
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  ScrollArea,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  UnstyledButton,
} from '@mantine/core';
import type PocketBase from 'pocketbase';
import { type KeyboardEvent, useState } from 'react';
import { toShownError } from '../api-errors';
import { pb } from '../pb';
import { needsConfirmation } from './sql-confirm';
import { csvFileName, toCsv } from './sql-csv';
import { readHistory, withoutQuery, withQuery, writeHistory } from './sql-history';

// The SDK declares this answer's type without exporting it.
type SQLResult = Awaited<ReturnType<PocketBase['sql']['run']>>;

/** Rows drawn at first; the rest (up to the server's 1000) on request, as PocketBase's console. */
const SHOWN_ROWS = 250;

function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

function ResultTable({ result }: { result: SQLResult }) {
  const [all, setAll] = useState(false);
  const rows = all ? result.rows : result.rows.slice(0, SHOWN_ROWS);
  return (
    <Stack gap="xs">
      <ScrollArea type="auto">
        <Table
          striped
          withTableBorder
          aria-label="Query result"
          style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}
        >
          <Table.Thead>
            <Table.Tr>
              {result.columns.map((column, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns may share a name; their order is fixed
                <Table.Th key={i} title={column.nullable ? 'nullable' : 'not null'}>
                  {column.name}
                  <Text component="span" size="xs" c="dimmed" ml={6}>
                    {column.type}
                  </Text>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={result.columns.length}>
                  <Text c="dimmed" size="sm">
                    No rows found.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
              <Table.Tr key={i}>
                {row.map((value, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: see the columns
                  <Table.Td key={j} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                    {value === null ? (
                      <Text component="span" c="dimmed" size="sm">
                        NULL
                      </Text>
                    ) : (
                      value
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {!all && result.rows.length > SHOWN_ROWS && (
        <Button variant="default" onClick={() => setAll(true)}>
          Load remaining ({result.rows.length - SHOWN_ROWS})
        </Button>
      )}
    </Stack>
  );
}

/**
 * PocketBase's SQL console: raw SQL for superusers through `POST /api/sql` (docs/sql.md). Run
 * with the button or Ctrl/Cmd+Enter; the last statement's rows (at most 1000) with their column
 * types, or the changed-rows count of a write; past queries kept in localStorage; CSV export.
 */
export function SqlPage() {
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SQLResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState(() => readHistory(window.localStorage));
  const [confirming, setConfirming] = useState(false);

  const saveHistory = (next: string[]) => {
    setHistory(next);
    writeHistory(window.localStorage, next);
  };

  const run = async (confirmed = false) => {
    const text = query.trim();
    if (text === '' || busy) return;
    // As PocketBase's console: a query that looks like it changes things runs once confirmed.
    if (!confirmed && needsConfirmation(text)) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await pb.sql.run(text, { requestKey: null }));
      saveHistory(withQuery(readHistory(window.localStorage), text));
    } catch (caught) {
      const shown = toShownError(caught);
      setError([shown.message, ...Object.entries(shown.fields).map(([k, v]) => `${k}: ${v}`)].join('\n'));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    }
  };

  const exportCsv = () => {
    if (!result) return;
    download(
      toCsv(
        result.columns.map((column) => column.name),
        result.rows,
      ),
      csvFileName(),
    );
  };

  return (
    <Stack>
      <Title order={2} size="h3">
        SQL console
      </Title>
      <Textarea
        label="SQL query"
        placeholder="e.g. SELECT * FROM users WHERE verified = true"
        description="Ctrl/Cmd+Enter runs it. At most 1000 rows are returned; several statements give the last one's result."
        value={query}
        onChange={(event) => setQuery(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        autosize
        minRows={6}
        maxRows={20}
        spellCheck={false}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      />
      <Group>
        <Button onClick={() => void run()} loading={busy} disabled={query.trim() === ''}>
          Run
        </Button>
      </Group>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Run this query?">
        <Text size="sm" mb="md">
          It looks like it changes data or the schema. Depending on the query this may break the application and may not
          be reversible: continue only if you know what it does.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
          <Button color="red" onClick={() => void run(true)}>
            Execute
          </Button>
        </Group>
      </Modal>
      {error !== null && (
        <Alert color="red" role="alert" title="Query failed">
          <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
            {error}
          </Text>
        </Alert>
      )}
      {result && result.columns.length === 0 && (
        <Alert color="green" role="status">
          Query executed successfully!{result.affectedRows > 0 ? ` Affected rows: ${result.affectedRows}.` : ''}
        </Alert>
      )}
      {result && (
        <Group gap="md">
          {result.columns.length > 0 && <Text size="sm">Rows: {result.rows.length}</Text>}
          <Text size="sm">Time: {result.execTime} ms</Text>
          {result.rows.length > 0 && (
            <Button size="xs" variant="default" onClick={exportCsv}>
              Export as CSV
            </Button>
          )}
        </Group>
      )}
      {result && result.columns.length > 0 && <ResultTable key={JSON.stringify(result.columns)} result={result} />}
      <Paper withBorder p="sm">
        <Group justify="space-between" mb="xs">
          <Text fw={600} size="sm">
            History
          </Text>
          {history.length > 0 && (
            <Button size="xs" variant="subtle" color="red" onClick={() => saveHistory([])}>
              Clear history
            </Button>
          )}
        </Group>
        {history.length === 0 && (
          <Text size="sm" c="dimmed">
            No recently executed queries.
          </Text>
        )}
        <Stack gap={4} role="list" aria-label="Query history">
          {history.map((item) => (
            <Group key={item} gap="xs" wrap="nowrap" role="listitem">
              <UnstyledButton
                aria-label={`Use query: ${item}`}
                onClick={() => setQuery(item)}
                style={{ flex: 1, fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 }}
              >
                <Text size="sm" lineClamp={2} style={{ fontFamily: 'inherit', whiteSpace: 'pre-wrap' }}>
                  {item}
                </Text>
              </UnstyledButton>
              <Button
                size="compact-xs"
                variant="subtle"
                color="gray"
                aria-label={`Remove query: ${item}`}
                onClick={() => saveHistory(withoutQuery(history, item))}
              >
                ✕
              </Button>
            </Group>
          ))}
        </Stack>
      </Paper>
    </Stack>
  );
}
