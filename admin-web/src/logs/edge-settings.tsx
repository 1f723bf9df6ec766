import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { toShownError } from '../api-errors';
import { asSection, SettingsSectionForm, useSettings } from '../settings/settings-section';

interface Rule {
  label: string;
  audience: string;
  duration: number;
  maxRequests: number;
}

const list = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const joined = (value: unknown) => (Array.isArray(value) ? value.join(', ') : '');

const LEVELS = [
  { value: '-4', label: 'DEBUG (-4)' },
  { value: '0', label: 'INFO (0)' },
  { value: '4', label: 'WARN (4)' },
  { value: '8', label: 'ERROR (8)' },
];
const AUDIENCES = [
  { value: '', label: 'All' },
  { value: '@guest', label: 'Guests only' },
  { value: '@auth', label: 'Authenticated only' },
];

/** The settings the gateway acts on: request logs, rate limits, trusted proxy, superuser IPs. */
export function EdgeSettings() {
  const settings = useSettings();
  if (settings.error) return <Alert color="red">{toShownError(settings.error).message}</Alert>;
  if (!settings.data) return null;
  const data = settings.data;
  return (
    <Stack>
      <SettingsSectionForm settings={data} title="Logs" section="logs" toForm={asSection}>
        {({ value: v, set, errors }) => (
          <>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput
                label="Max days retention"
                description="0 turns request logs off"
                value={Number(v.maxDays ?? 0)}
                error={errors.maxDays}
                onChange={(n) => set({ ...v, maxDays: Number(n) || 0 })}
              />
              <Select
                label="Min log level"
                data={LEVELS}
                value={String(v.minLevel ?? 0)}
                onChange={(next) => set({ ...v, minLevel: Number(next ?? 0) })}
              />
              <NumberInput
                label="Max data size (bytes)"
                description="0: about 16 KB"
                value={Number(v.maxDataSize ?? 0)}
                error={errors.maxDataSize}
                onChange={(n) => set({ ...v, maxDataSize: Number(n) || 0 })}
              />
            </SimpleGrid>
            <Checkbox
              label="Enable IP logging"
              checked={Boolean(v.logIP)}
              onChange={(e) => set({ ...v, logIP: e.currentTarget.checked })}
            />
            <Checkbox
              label="Enable auth id logging"
              checked={Boolean(v.logAuthId)}
              onChange={(e) => set({ ...v, logAuthId: e.currentTarget.checked })}
            />
          </>
        )}
      </SettingsSectionForm>

      <SettingsSectionForm
        settings={data}
        title="Rate limits"
        section="rateLimits"
        toForm={(raw) => {
          const limits = asSection(raw) as { enabled?: boolean; rules?: Rule[]; excludedIPs?: string[] };
          return { enabled: Boolean(limits.enabled), rules: limits.rules ?? [], excluded: joined(limits.excludedIPs) };
        }}
        toBody={(v) => ({ enabled: v.enabled, rules: v.rules, excludedIPs: list(v.excluded) })}
      >
        {({ value: v, set, errors }) => (
          <>
            <Checkbox
              label="Enable rate limiting"
              checked={v.enabled}
              onChange={(e) => set({ ...v, enabled: e.currentTarget.checked })}
            />
            {errors.rules && (
              <Text c="red" size="sm">
                {errors.rules}
              </Text>
            )}
            {v.rules.map((rule, index) => {
              const change = (patch: Partial<Rule>) =>
                set({ ...v, rules: v.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) });
              const n = index + 1;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: rules have no id; their order is their identity
                <Group key={index} align="flex-start" wrap="nowrap">
                  <TextInput
                    aria-label={`Rule ${n} label`}
                    placeholder="/api/ or users:create"
                    value={rule.label}
                    error={errors[`rules.${index}.label`]}
                    onChange={(e) => change({ label: e.currentTarget.value })}
                    style={{ flex: 2 }}
                  />
                  <NumberInput
                    aria-label={`Rule ${n} max requests`}
                    value={rule.maxRequests}
                    error={errors[`rules.${index}.maxRequests`]}
                    onChange={(x) => change({ maxRequests: Number(x) || 0 })}
                    style={{ flex: 1 }}
                  />
                  <NumberInput
                    aria-label={`Rule ${n} interval (seconds)`}
                    value={rule.duration}
                    error={errors[`rules.${index}.duration`]}
                    onChange={(x) => change({ duration: Number(x) || 0 })}
                    style={{ flex: 1 }}
                  />
                  <Select
                    aria-label={`Rule ${n} audience`}
                    data={AUDIENCES}
                    value={rule.audience}
                    error={errors[`rules.${index}.audience`]}
                    onChange={(next) => change({ audience: next ?? '' })}
                    style={{ flex: 1 }}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove rule ${n}`}
                    onClick={() => set({ ...v, rules: v.rules.filter((_, i) => i !== index) })}
                  >
                    ✕
                  </ActionIcon>
                </Group>
              );
            })}
            <Group>
              <Button
                variant="default"
                size="xs"
                onClick={() =>
                  set({ ...v, rules: [...v.rules, { label: '', audience: '', duration: 10, maxRequests: 100 }] })
                }
              >
                Add rate limit rule
              </Button>
            </Group>
            <TextInput
              label="Excluded IPs"
              description="Comma-separated addresses or CIDR ranges never limited"
              value={v.excluded}
              error={Object.entries(errors).find(([key]) => key.startsWith('excludedIPs'))?.[1]}
              onChange={(e) => set({ ...v, excluded: e.currentTarget.value })}
            />
          </>
        )}
      </SettingsSectionForm>

      <SettingsSectionForm
        settings={data}
        title="Trusted proxy"
        section="trustedProxy"
        toForm={(raw) => {
          const proxy = asSection(raw) as { headers?: string[]; useLeftmostIP?: boolean };
          return { headers: joined(proxy.headers), useLeftmostIP: Boolean(proxy.useLeftmostIP) };
        }}
        toBody={(v) => ({ headers: list(v.headers), useLeftmostIP: v.useLeftmostIP })}
      >
        {({ value: v, set, errors }) => (
          <>
            <TextInput
              label="Trusted proxy headers"
              description="Comma-separated, e.g. X-Forwarded-For, X-Real-IP (empty: the connection's address)"
              value={v.headers}
              error={errors.headers}
              onChange={(e) => set({ ...v, headers: e.currentTarget.value })}
            />
            <Select
              label="IP from the header"
              data={[
                { value: 'false', label: 'Rightmost (safer)' },
                { value: 'true', label: 'Leftmost' },
              ]}
              value={String(v.useLeftmostIP)}
              onChange={(next) => set({ ...v, useLeftmostIP: next === 'true' })}
            />
          </>
        )}
      </SettingsSectionForm>

      <SettingsSectionForm settings={data} title="Superuser IPs" section="superuserIPs" toForm={joined} toBody={list}>
        {({ value: v, set, errors }) => (
          <TextInput
            label="Allowed superuser IPs"
            description="Comma-separated addresses or CIDR ranges; empty allows any"
            value={v}
            error={Object.values(errors)[0]}
            onChange={(e) => set(e.currentTarget.value)}
          />
        )}
      </SettingsSectionForm>
    </Stack>
  );
}
