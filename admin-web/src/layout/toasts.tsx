import { Notification, Stack } from '@mantine/core';
import { useSyncExternalStore } from 'react';

type ToastKind = 'success' | 'error' | 'info';

interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const COLORS: Record<ToastKind, string> = { success: 'green', error: 'red', info: 'blue' };
// Long enough to read (and for a test to see); a failure stays longer.
const LIFETIME: Record<ToastKind, number> = { success: 5000, error: 8000, info: 6000 };

let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function publish(next: readonly Toast[]): void {
  toasts = next;
  for (const listener of listeners) listener();
}

function dismiss(id: number): void {
  publish(toasts.filter((toast) => toast.id !== id));
}

function show(kind: ToastKind, message: string): void {
  const id = nextId++;
  publish([...toasts, { id, kind, message }]);
  setTimeout(() => dismiss(id), LIFETIME[kind]);
}

/** Short-lived messages after an action that has no form to show its outcome in (PocketBase's toasts). */
export const toast = {
  success: (message: string) => show('success', message),
  error: (message: string) => show('error', message),
  info: (message: string) => show('info', message),
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Where the toasts show: the bottom right corner, newest last. */
export function Toasts() {
  const shown = useSyncExternalStore(subscribe, () => toasts);
  if (shown.length === 0) return null;
  return (
    <Stack gap="xs" pos="fixed" bottom={16} right={16} maw={420} style={{ zIndex: 1000 }} data-testid="toasts">
      {shown.map((item) => (
        <Notification
          key={item.id}
          color={COLORS[item.kind]}
          withBorder
          role={item.kind === 'error' ? 'alert' : 'status'}
          onClose={() => dismiss(item.id)}
          closeButtonProps={{ 'aria-label': 'Dismiss' }}
        >
          {item.message}
        </Notification>
      ))}
    </Stack>
  );
}
