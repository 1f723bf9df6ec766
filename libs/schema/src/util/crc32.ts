import { crc32 } from 'node:zlib';

/**
 * CRC-32 (IEEE) of `text` as an unsigned decimal string, like Go's crc32.ChecksumIEEE: PocketBase
 * derives default collection and field ids from it, and matching them keeps exported schemas
 * interchangeable (`_superusers` → `pbc_3142635823`).
 */
export function crc32Checksum(text: string): string {
  return String(crc32(text));
}
