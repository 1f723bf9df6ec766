import { Accordion, Alert, Badge, Button, Code, Drawer, Group, Stack, Table, Text } from '@mantine/core';
import type { CollectionModel } from 'pocketbase';
import { useMemo, useState } from 'react';
import { toShownError } from '../api-errors';
import { pb } from '../pb';
import { apiPreview, type PreviewCollection, type PreviewParam } from './api-preview';

const METHOD_COLORS = { GET: 'blue', POST: 'green', PATCH: 'yellow', DELETE: 'red' } as const;

function Params({ title, params }: { title: string; params: PreviewParam[] }) {
  if (params.length === 0) return null;
  return (
    <Stack gap={4}>
      <Text fw={600} size="sm">
        {title}
      </Text>
      <Table withTableBorder fz="xs">
        <Table.Tbody>
          {params.map((param) => (
            <Table.Tr key={param.name}>
              <Table.Td>
                <Code>{param.name}</Code>
              </Table.Td>
              <Table.Td>{param.type}</Table.Td>
              <Table.Td>{param.description}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function ruleText(rule: string | null | undefined): string | null {
  if (rule === undefined) return null;
  if (rule === null) return 'Superusers only (null rule)';
  return rule === '' ? 'Everyone (empty rule)' : `Requires: ${rule}`;
}

/** Saves `GET /api/openapi.json` (every collection, OpenAPI 3.1) as a file. */
function OpenApiDownload() {
  const [failure, setFailure] = useState<string | null>(null);
  const download = async () => {
    setFailure(null);
    try {
      const document = await pb.send<Record<string, unknown>>('/api/openapi.json', {});
      const link = window.document.createElement('a');
      link.href = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' }));
      link.download = 'openapi.json';
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (caught) {
      setFailure(toShownError(caught).message);
    }
  };
  return (
    <Stack gap={4} mb="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          The same for every collection, as OpenAPI 3.1: <Code>GET /api/openapi.json</Code>
        </Text>
        <Button size="xs" variant="light" onClick={() => void download()}>
          Download openapi.json
        </Button>
      </Group>
      {failure && (
        <Alert color="red" role="alert">
          {failure}
        </Alert>
      )}
    </Stack>
  );
}

/** The collection's API generated from its live schema: route, rule, parameters, SDK call, answer. */
export function ApiPreviewDrawer({ collection, onClose }: { collection: CollectionModel; onClose: () => void }) {
  const actions = useMemo(() => apiPreview(collection as unknown as PreviewCollection), [collection]);
  return (
    <Drawer opened onClose={onClose} position="right" size="xl" title={`${collection.name} API preview`}>
      <OpenApiDownload />
      <Accordion defaultValue="list" variant="separated">
        {actions.map((action) => (
          <Accordion.Item key={action.id} value={action.id}>
            <Accordion.Control>
              <Group gap="xs">
                <Badge color={METHOD_COLORS[action.method]} variant="light" w={70}>
                  {action.method}
                </Badge>
                <Text size="sm" fw={500}>
                  {action.title}
                </Text>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="sm">
                <Code block>{`${action.method} ${action.path}`}</Code>
                {ruleText(action.rule) && (
                  <Text size="sm" c="dimmed">
                    {ruleText(action.rule)}
                  </Text>
                )}
                <Code block>{action.sdk}</Code>
                <Params title="Query parameters" params={action.query} />
                <Params title="Body parameters (JSON or multipart/form-data)" params={action.body} />
                <Text fw={600} size="sm">
                  Response {action.response === null ? '204' : '200'}
                </Text>
                {action.response !== null && <Code block>{JSON.stringify(action.response, null, 2)}</Code>}
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Drawer>
  );
}
