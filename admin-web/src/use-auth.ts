import type { RecordModel } from 'pocketbase';
import { useEffect, useState } from 'react';
import { pb } from './pb';

/** The signed-in superuser (null when signed out), following the SDK's auth store. */
const read = () => (pb.authStore.isValid && pb.authStore.isSuperuser ? pb.authStore.record : null);

export function useSuperuser(): RecordModel | null {
  const [record, setRecord] = useState(read);
  useEffect(() => pb.authStore.onChange(() => setRecord(read())), []);
  return record;
}
