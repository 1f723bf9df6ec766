// A small seeded property runner (fast-check is not installed in this workspace). Every run is
// reproducible from HB_FUZZ_SEED; a failure reports the seed, the run and the input.

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  string(alphabet: readonly string[], maxLength: number): string {
    const length = this.int(maxLength + 1);
    let out = '';
    for (let i = 0; i < length; i++) out += this.pick(alphabet);
    return out;
  }
}

export const FUZZ_SEED = Number(process.env.HB_FUZZ_SEED ?? 20240301);

export function runProperty<T>(
  runs: number,
  generate: (rng: Rng) => T,
  check: (value: T) => void,
  seed = FUZZ_SEED,
): void {
  const rng = new Rng(seed);
  for (let run = 0; run < runs; run++) {
    const value = generate(rng);
    try {
      check(value);
    } catch (error) {
      const shown = JSON.stringify(value, (_, v) =>
        typeof v === 'string' && v.length > 300 ? `${v.slice(0, 300)}…` : v,
      );
      throw new Error(`property failed (seed ${seed}, run ${run}) for ${shown}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

export async function runPropertyAsync<T>(
  runs: number,
  generate: (rng: Rng) => T,
  check: (value: T) => Promise<void>,
  seed = FUZZ_SEED,
): Promise<void> {
  const rng = new Rng(seed);
  for (let run = 0; run < runs; run++) {
    const value = generate(rng);
    try {
      await check(value);
    } catch (error) {
      throw new Error(
        `property failed (seed ${seed}, run ${run}) for ${JSON.stringify(value)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}
