import { Alert, Button, Code, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { toShownError } from '../api-errors';
import { toast } from '../layout/toasts';
import { pb } from '../pb';

/** Settings → Crons: the app's registered cron jobs (`GET /api/crons`), each with a Run button. */
export function CronsPage() {
  const crons = useQuery({ queryKey: ['crons'], queryFn: () => pb.crons.getFullList() });
  const [running, setRunning] = useState<Record<string, boolean>>({});
  const run = async (id: string) => {
    setRunning((current) => ({ ...current, [id]: true }));
    try {
      await pb.crons.run(id);
      toast.success(`Successfully triggered "${id}".`);
    } catch (caught) {
      toast.error(`Failed to run "${id}": ${toShownError(caught).message}`);
    } finally {
      setRunning(({ [id]: _, ...rest }) => rest);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h5">
            Registered app cron jobs
          </Title>
          <Button variant="default" size="xs" loading={crons.isFetching} onClick={() => void crons.refetch()}>
            Refresh
          </Button>
        </Group>
        {crons.error ? (
          <Alert color="red" role="alert">
            {toShownError(crons.error).message}
          </Alert>
        ) : (
          <Table withTableBorder highlightOnHover aria-label="Cron jobs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Job</Table.Th>
                <Table.Th>Expression</Table.Th>
                <Table.Th w={90}>
                  <Text span size="xs" c="dimmed">
                    Actions
                  </Text>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {crons.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={3}>
                    <Loader size="sm" aria-label="Loading cron jobs" />
                  </Table.Td>
                </Table.Tr>
              )}
              {crons.data?.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={3}>
                    <Text c="dimmed" size="sm">
                      No registered crons found.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {crons.data?.map((job) => (
                <Table.Tr key={job.id} data-testid="cron-row">
                  <Table.Td>
                    <Code>{job.id}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Code>{job.expression}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="light"
                      aria-label={`Run ${job.id}`}
                      loading={running[job.id]}
                      onClick={() => void run(job.id)}
                    >
                      Run
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="sm" c="dimmed">
          Cron jobs are registered by the server, not here: this page lists them, and Run starts one now, besides its
          schedule.
        </Text>
      </Stack>
    </Paper>
  );
}
