import { Alert, Badge, Group, Loader, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { toShownError } from '../api-errors';
import { pb } from '../pb';

interface Preview {
  fields: { name: string; type: string }[];
  items: Record<string, unknown>[];
}

const cell = (value: unknown) =>
  value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

/**
 * The live preview of a view collection's query while it is typed: the fields the view would get
 * and its first rows (`POST /api/collections/meta/view-preview`), or the server's error.
 */
export function ViewQueryPreview({ query }: { query: string }) {
  const [debounced] = useDebouncedValue(query.trim(), 400);
  const preview = useQuery({
    queryKey: ['view-preview', debounced],
    queryFn: () =>
      pb.send<Preview>('/api/collections/meta/view-preview', { method: 'POST', body: { query: debounced } }),
    enabled: debounced !== '',
    placeholderData: keepPreviousData,
  });
  if (!debounced) return null;
  const failure = preview.error ? toShownError(preview.error) : null;
  return (
    <Stack gap="xs" data-testid="view-preview">
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Preview
        </Text>
        {preview.isFetching && <Loader size="xs" aria-label="Running the query" />}
      </Group>
      {failure ? (
        <Alert color="red" role="alert" title="The query does not run">
          {failure.fields.query ?? failure.message}
        </Alert>
      ) : (
        preview.data && (
          <>
            <Group gap={4}>
              {preview.data.fields.map((field) => (
                <Badge key={field.name} variant="light" tt="none">
                  {field.name}: {field.type}
                </Badge>
              ))}
            </Group>
            <ScrollArea type="auto">
              <Table striped withTableBorder fz="xs" aria-label="First rows of the view">
                <Table.Thead>
                  <Table.Tr>
                    {preview.data.fields.map((field) => (
                      <Table.Th key={field.name}>{field.name}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview.data.items.map((row, index) => (
                    // Rows of a preview have no stable identity beyond their position.
                    // biome-ignore lint/suspicious/noArrayIndexKey: see above
                    <Table.Tr key={index}>
                      {preview.data.fields.map((field) => (
                        <Table.Td key={field.name}>{cell(row[field.name])}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
            {preview.data.items.length === 0 && (
              <Text size="xs" c="dimmed">
                No rows.
              </Text>
            )}
          </>
        )
      )}
    </Stack>
  );
}
